"""How allauth behaves here: accounts are created by HR (and, later, by invitations), not by
public sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # An HR tool holds private conversations: strangers may not create accounts.
        return False
