"""HR pages: survey templates, program schedules, results and deliveries."""

urlpatterns: list = []
