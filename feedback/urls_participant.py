"""Pages of participants: answering a survey from its link, mail preferences, unsubscribing."""

urlpatterns: list = []
