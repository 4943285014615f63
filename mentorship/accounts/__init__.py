"""Accounts: the user model (email login, language, time zone) and the two site-wide roles."""
