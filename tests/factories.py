"""factory_boy factories for accounts and programs."""

import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from mentorship.accounts.models import User

PASSWORD = "correct-horse-battery-staple"
# The authenticator app's key of every HR admin and executive the factory makes.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    preferred_language = "en"
    time_zone = "UTC"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def with_mfa(self, create, extracted, **kwargs):
        """HR admins and executives get a TOTP authenticator, which their role requires,
        unless `with_mfa=False` is passed."""
        if create and (self.is_hr_admin or self.is_executive) and extracted is not False:
            TOTP.activate(self, TOTP_SECRET)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """Give the account a verified address unless `verified_email=False` is passed."""
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Program"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Reverse mentoring cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    objectives = "Leaders learn AI tools and social media.\nJuniors practise leadership."
    # Relative to today, so that enrolment stays open whenever the suite runs.
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=45))
    end_date = factory.LazyAttribute(lambda p: p.start_date + datetime.timedelta(days=180))
    enrolment_deadline = factory.LazyAttribute(lambda p: p.start_date - datetime.timedelta(days=7))
    status = "enrolment"
    allow_applications = True

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        """Offer the given topics, or the first three of the seeded catalogue."""
        from programs.models import Topic

        if create:
            self.topics.set(extracted if extracted is not None else Topic.objects.all()[:3])


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """An approved enrolment with a complete profile (one topic, guidelines acknowledged)."""

    class Meta:
        model = "programs.Enrolment"
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    role = "mentee"
    status = "approved"
    languages = factory.LazyFunction(lambda: ["en"])
    time_zone = "Europe/Istanbul"
    goals = "Understand how young customers use social media."
    guidelines_acknowledged_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        """Give the profile the program's first topic, or the topics passed (a list)."""
        from programs.models import LearnTopic, TeachTopic

        if not create:
            return
        chosen = extracted if extracted is not None else list(self.program.topics.all()[:1])
        for topic in chosen:
            if self.role == "mentor":
                TeachTopic.objects.create(enrolment=self, topic=topic, level=2)
            else:
                LearnTopic.objects.create(
                    enrolment=self, topic=topic, priority=2, confidence_start=2
                )
