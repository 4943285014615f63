"""Programs, the topic catalogue, enrolments and profiles, invitations and imports."""
