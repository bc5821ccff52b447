"""Analyses: pure functions taking a model and returning pandas objects."""
