"""Accounts: the user model (email login, language, time zone) and the two site-wide roles."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mentorship.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from mentorship.accounts import receivers  # noqa: F401  (connects allauth signals)
