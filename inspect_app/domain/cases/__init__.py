"""A case through the legal process: stages, the workflow table, actions and their checks and effects, clocks
and deadlines, signing, the document register, facts, the hash-chained history and its audit, case lists,
the chairman's numbers and the weekly list."""
