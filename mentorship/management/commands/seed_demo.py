"""`python manage.py seed_demo`: demo data for `make run`, safe to run again and again.

For now: one demo account per role, signed in with the printed password. Each later capability
adds its part here, so that `make run` always shows a living program.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mentorship.accounts.models import User

DEMO_ACCOUNTS = [
    # email, full name, language, time zone, HR admin, executive
    ("hr@demo.example", "Hà Nguyễn", "en", "Asia/Ho_Chi_Minh", True, False),
    ("exec@demo.example", "Elif Yılmaz", "en", "Europe/Istanbul", False, True),
    ("mentor@demo.example", "Minh Trần", "vi", "Asia/Ho_Chi_Minh", False, False),
    ("mentee@demo.example", "Mehmet Kaya", "tr", "Europe/Istanbul", False, False),
]


class Command(BaseCommand):
    help = "Create or refresh the demo accounts (one per role) and print their password."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default="reverse-mentoring-demo",
            help="Password to give every demo account.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (never on a server with real people).",
        )

    @transaction.atomic
    def handle(self, *args, password: str, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for development: pass --force to seed with DEBUG off.")
        for email, full_name, language, zone, hr_admin, executive in DEMO_ACCOUNTS:
            user, created = User.objects.update_or_create(
                email=email,
                defaults={
                    "full_name": full_name,
                    "preferred_language": language,
                    "time_zone": zone,
                    "is_hr_admin": hr_admin,
                    "is_executive": executive,
                    "is_active": True,
                },
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"primary": True, "verified": True}
            )
            verb = "created" if created else "refreshed"
            self.stdout.write(f"  {verb:9} {email:22} {', '.join(map(str, user.role_labels))}")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready. Password for all: {password}"))
