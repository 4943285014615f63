"""Survey templates, schedules, invitations, responses, reminders and the tasks that send them."""
