"""The feedback pages: participants answer surveys and choose their mail; HR builds surveys,
schedules them, reads the results and watches deliveries."""

from feedback import urls_hr, urls_participant

app_name = "feedback"

urlpatterns = [*urls_participant.urlpatterns, *urls_hr.urlpatterns]
