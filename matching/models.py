"""Models of match runs, pairs and sessions (built by the matching and pairs issues)."""
