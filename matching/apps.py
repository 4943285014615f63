"""Scoring and the optimiser, match runs and suggestions, approved pairs and their sessions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        # Programs cannot import matching (dependencies point one way), so matching tells it
        # how to count unmatched mentees and what a withdrawal means for pairs.
        from matching import services
        from programs import services as program_services

        program_services.register_unmatched_mentees_counter(services.unmatched_mentees_count)
        program_services.register_withdrawal_listener(services.pairs_end_for_withdrawal)
