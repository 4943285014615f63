"""Models of surveys, schedules and deliveries (built by the feedback issue)."""
