"""Scoring and the optimiser, match runs and suggestions, approved pairs and their sessions."""
