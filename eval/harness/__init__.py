"""The evaluation harness: labelled datasets, metrics, and `callsight eval` (kept apart from tests/)."""
