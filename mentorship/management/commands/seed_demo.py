"""`python manage.py seed_demo`: demo data for `make run`, safe to run again and again.

One demo account per role, signed in with the printed password, and two programs built from the
source articles' topics, with mentors and mentees, complete profiles and an org chart imported
through the same CSV import HR uses: one matched and under way, the next cohort with proposed
pairs for HR to review. Each later capability adds its part here,
so that `make run` always shows a living program.
"""

import datetime
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from feedback import answering, planning
from feedback import services as feedback_services
from feedback.models import Question, SurveyInvitation
from matching import scheduling, session_logs
from matching import services as matching_services
from matching.models import Pair, Session
from mentorship.accounts.models import User
from programs import importing, services
from programs.models import Enrolment, Program, Topic

DEMO_PARTICIPANTS = Path(__file__).resolve().parents[2] / "demo" / "participants.csv"
DEMO_PROGRAM_SLUG = "digital-leaders"
DEMO_TOPICS = [
    "ai-automation",
    "social-media-tiktok",
    "influencer-marketing",
    "gen-z-consumer-insight",
    "slang-online-culture",
    "project-tools",
    "data-analysis-tools",
    "new-communication-tools",
    "flexible-hybrid-work",
    "sustainability-csr",
    "diversity-inclusion",
]

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
        today = timezone.localdate()
        # A living program, paired and under way, and the next cohort waiting for HR to review
        # its proposed pairs.
        for slug, name, start, status in (
            # Started 30 days ago: today is the day of its mid-program check-in.
            (DEMO_PROGRAM_SLUG, "Digital leaders", today - datetime.timedelta(days=30), "active"),
            (
                f"{DEMO_PROGRAM_SLUG}-next",
                "Digital leaders, next cohort",
                today + datetime.timedelta(days=60),
                "matching",
            ),
        ):
            program = self._demo_program(slug=slug, name=name, start=start, status=status)
            self.stdout.write(
                f"  program   {program.name} ({program.get_status_display()}): "
                f"{program.enrolments.count()} participants, /programs/{program.slug}/"
            )
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready. Password for all: {password}"))

    def _demo_program(self, *, slug: str, name: str, start: datetime.date, status: str) -> Program:
        hr_admin = User.objects.get(email="hr@demo.example")
        program = Program.objects.filter(slug=slug).first()
        created = program is None
        if created:
            program = services.program_create(
                created_by=hr_admin,
                topics=Topic.objects.filter(slug__in=DEMO_TOPICS),
                name=name,
                slug=slug,
                objectives=(
                    "Senior leaders learn how young customers and colleagues use AI tools, "
                    "social media and new ways of working.\n"
                    "Junior colleagues practise leadership and are heard at the top.\n"
                    "Six one-hour sessions over six months, one every two weeks at first."
                ),
                start_date=start,
                end_date=start + datetime.timedelta(days=182),
                enrolment_deadline=start - datetime.timedelta(days=7),
                allow_applications=True,
            )
            program = services.program_transition(program=program, target="enrolment")
        # The same path as HR's CSV import page: idempotent, so a second run changes nothing.
        importing.import_apply(
            program=program,
            text=importing.decode_upload(DEMO_PARTICIPANTS.read_bytes()),
            create_topics=False,
            by=hr_admin,
        )
        # Imported people have not read the guidelines; in the demo everyone has.
        for enrolment in Enrolment.objects.filter(
            program=program, guidelines_acknowledged_at__isnull=True
        ):
            services.enrolment_acknowledge_guidelines(enrolment=enrolment)
        if created:
            # Matching as HR would do it: close enrolment, run, and (for the living program)
            # approve, which pairs everyone, starts the program and sends the introductions.
            program = services.program_transition(program=program, target="matching")
            run = matching_services.match_run_create(program=program, by=hr_admin).run
            if status == "active":
                matching_services.match_run_approve(run=run, by=hr_admin)
                self._demo_sessions(program)
                self._demo_surveys(program, hr_admin)
            program.refresh_from_db()
        return program

    def _demo_sessions(self, program: Program) -> None:
        """Each pair of the living program met two weeks ago (logged by the mentor, with a
        takeaway, a private note and an action item) and has its next session planned."""
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        # The demo pairs were matched when the program started.
        Pair.objects.filter(program=program).update(
            started_at=now - (timezone.localdate() - program.start_date)
        )
        for pair in (
            Pair.objects.active()
            .filter(program=program)
            .select_related("mentor__user", "mentee__user")
        ):
            past = Session.objects.create(
                pair=pair,
                proposed_by=pair.mentor.user,
                starts_at=now - datetime.timedelta(days=14),
                duration_minutes=program.session_minutes,
                location="Video call",
            )
            shared = Topic.objects.filter(
                pk__in=pair.mentor.teach_topics.values("topic_id")
            ).filter(pk__in=pair.mentee.learn_topics.values("topic_id"))
            session_logs.session_log_save(
                session=past,
                by=pair.mentor.user,
                outcome="held",
                held_on=past.starts_at,
                actual_minutes=program.session_minutes,
                topics_covered=list(shared),
                takeaways="Short videos beat long posts; try one a week.",
                private_notes="Felt nervous at first; it went well.",
                action_items=[
                    session_logs.ActionItemDraft(
                        text="Follow three creators our customers watch",
                        owner=pair.mentee,
                        due_on=timezone.localdate() + datetime.timedelta(days=7),
                    )
                ],
            )
            scheduling.session_propose(
                pair=pair,
                by=pair.mentee.user,
                starts_at=now + datetime.timedelta(days=7),
                duration_minutes=program.session_minutes,
                location="Video call",
            )

    def _demo_surveys(self, program: Program, hr_admin: User) -> None:
        """The recommended survey schedule. Today's mid-program check-in is sent the way beat
        sends it; half of the pairs' people have answered already (enough for the results page
        to show figures, too few for its free-text answers), the demo mentor and mentee have not:
        the worker mails them their survey within a minute of `make run`."""
        feedback_services.survey_schedules_add_recommended(program=program, by=hr_admin)
        planning.survey_invitations_plan(timezone.now())
        waiting = (
            SurveyInvitation.objects.filter(schedule__program=program)
            .exclude(enrolment__user__email__in=["mentor@demo.example", "mentee@demo.example"])
            .select_related("schedule__template", "enrolment")
            .order_by("pk")
        )
        for number, invitation in enumerate(waiting[:6]):
            questions = {q.key: q for q in invitation.schedule.template.questions.all()}
            comment = next(q for q in questions.values() if q.kind == Question.Kind.TEXT)
            answering.survey_submit(
                invitation=invitation,
                answers=[
                    answering.AnswerDraft(questions["learning"], number=4 + number % 2),
                    answering.AnswerDraft(questions["rhythm"], number=3 + number % 3),
                    answering.AnswerDraft(comment, text="More time for hands-on practice."),
                ],
            )
