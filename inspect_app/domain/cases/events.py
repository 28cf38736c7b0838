"""The kinds of entries in a case's history, and which of them changed the case."""
from ...models.vocabulary import EventKind

ACTION, PROPOSAL, APPROVAL, REJECTION = EventKind
APPLIED = (ACTION, APPROVAL)      # entries that changed the case (proposals and rejections did not)
ANSWERS = (APPROVAL, REJECTION)   # the chairman's answers to a proposal
