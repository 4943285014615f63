"""`python manage.py match SLUG [--json] [--alternatives K]`: run matching from the command line,
through the same service as HR's page. Stores a run with its suggestions; approves nothing."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from matching import services
from programs.models import Program, Topic


class Command(BaseCommand):
    help = "Run matching for a program and store the run (approves nothing)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The program's short name in addresses.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument(
            "--alternatives",
            type=int,
            default=3,
            metavar="K",
            help="Per mentee, the K best eligible mentors (0: all of them). Default 3.",
        )

    def handle(self, *args, slug: str, json: bool, alternatives: int, **options):
        if alternatives < 0:
            raise CommandError(_("--alternatives must be 0 or more."))
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(_("There is no program “%(slug)s”.") % {"slug": slug})
        try:
            outcome = services.match_run_create(program=program, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        report = _report(program, outcome, alternatives)
        if json:
            self.stdout.write(_dumps(report))
            return
        self.stdout.write(
            f"Run {report['run']}: {len(report['pairs'])} pairs, total score "
            f"{report['total_score']:.2f}, {len(report['unmatched_mentees'])} unmatched."
        )
        for pair in report["pairs"]:
            self.stdout.write(f"  {pair['mentor']} → {pair['mentee']}  {pair['score']:.2f}")
        for left in report["unmatched_mentees"]:
            self.stdout.write(f"  unmatched {left['mentee']}: {left['reason']}")


def _report(program: Program, outcome: services.RunOutcome, k: int) -> dict:
    emails = {pk: enrolment.user.email for pk, enrolment in outcome.loaded.enrolments.items()}
    names = dict(Topic.objects.values_list("pk", "name"))
    return {
        "program": program.slug,
        "run": outcome.run.pk,
        "total_score": outcome.solution.total_score,
        "pairs": [
            {
                "mentor": emails[mentor_id],
                "mentee": emails[mentee_id],
                "score": breakdown.total,
                "shared_topics": [names[topic_id] for topic_id in breakdown.shared_topic_ids],
            }
            for mentor_id, mentee_id, breakdown in outcome.solution.pairs
        ],
        "unmatched_mentees": [
            {"mentee": emails[mentee_id], "reason": str(reason)}
            for mentee_id, reason in outcome.solution.unmatched
        ],
        "alternatives": {
            emails[mentee_id]: [
                {"mentor": emails[mentor_id], "score": score} for mentor_id, score in choices
            ]
            for mentee_id, choices in outcome.cohort.all_alternatives(k).items()
        },
    }


def _dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False)
