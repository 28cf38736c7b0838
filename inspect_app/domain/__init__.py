"""The ward's rules in plain Python: no Flask request, no commit (the caller commits), domain errors
(errors.py) that views and commands translate. By concept:

- accounts/  users, roles, login sessions and limits, the admin's log
- cases/     the legal process: stages, the workflow table, actions, clocks and deadlines, signing, the
             document register, facts, the hash-chained history and its audit, lists, the weekly list
- documents/ the official documents (Word templates, filled from a case, blank forms) and the case file
- field/     patrols and their tracks, reports and visits, photos, route coverage, repeated sends
- geo/       the ward and its routes, GeoJSON/GPX files, route administration, spatial/ (THE ONLY PLACE
             that knows SpatiaLite from PostGIS)

Shared by all: errors.py, inputs.py (reading form values), ward_time.py (the ward's clock and weeks)."""
