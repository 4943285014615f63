"""The executive dashboard: program figures computed in the database, shown only over groups
that reach the program's anonymity threshold."""
