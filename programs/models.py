"""Models of programs, topics and enrolments (built by the programs issue)."""
