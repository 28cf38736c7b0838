"""Work in the field: patrols and their tracks, reports and visits, photos, route coverage, repeated sends."""
