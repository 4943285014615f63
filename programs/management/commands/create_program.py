"""`python manage.py create_program SLUG --name NAME [...]`: a draft program offering every
active topic, through the same service as HR's page."""

import argparse
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from programs.models import Program, Topic
from programs.services import program_create

DEFAULT_LEAD_DAYS = 30
DEFAULT_LENGTH_DAYS = 182  # about six months, the usual length of a cohort


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": value}
        ) from None


def _field_label(name: str) -> str:
    return capfirst(Program._meta.get_field(name).verbose_name)


class Command(BaseCommand):
    help = "Create a draft program that offers every active topic."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The short name in addresses, e.g. digital-leaders-2027.")
        parser.add_argument("--name", required=True, help="The program's name.")
        parser.add_argument(
            "--mentor-capacity", type=int, default=1, help="Mentees per mentor (default 1)."
        )
        parser.add_argument(
            "--start", type=_date, help="First day, YYYY-MM-DD (default: in 30 days)."
        )
        parser.add_argument(
            "--end", type=_date, help="Last day, YYYY-MM-DD (default: 182 days after the start)."
        )

    def handle(self, *args, slug: str, name: str, mentor_capacity: int, start, end, **options):
        start = start or timezone.localdate() + timedelta(days=DEFAULT_LEAD_DAYS)
        end = end or start + timedelta(days=DEFAULT_LENGTH_DAYS)
        if end <= start:
            raise CommandError(
                _("The end date (%(end)s) must be after the start date (%(start)s).")
                % {"end": end, "start": start}
            )
        if Program.objects.filter(slug=slug).exists():
            raise CommandError(
                _("A program with the short name “%(slug)s” already exists; choose another.")
                % {"slug": slug}
            )
        try:
            program = program_create(
                created_by=None,
                topics=Topic.objects.filter(is_active=True),
                name=name,
                slug=slug,
                objectives=_(
                    "Senior leaders learn today's digital tools and culture from younger "
                    "colleagues, who in turn see how the company is led."
                ),
                start_date=start,
                end_date=end,
                mentor_capacity=mentor_capacity,
            )
        except ValidationError as error:
            raise CommandError(
                " ".join(
                    f"{_field_label(field)}: {message}" if field != "__all__" else message
                    for field, messages in error.message_dict.items()
                    for message in messages
                )
            ) from None
        self.stdout.write(
            _(
                "Created the draft program “%(name)s” (%(slug)s), %(start)s to %(end)s, offering "
                "%(topics)s topics."
            )
            % {
                "name": program.name,
                "slug": program.slug,
                "start": program.start_date,
                "end": program.end_date,
                "topics": program.topics.count(),
            }
        )
