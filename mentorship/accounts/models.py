"""The user: signs in with an email address, reads the site in a language and a time zone.

Site-wide roles (HR admin, executive) are flags HR assigns; the roles of a program (mentor,
mentee) belong to enrolments, not to the user.
"""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value})


class UserQuerySet(models.QuerySet):
    def hr_admins(self) -> "UserQuerySet":
        return self.filter(is_active=True, is_hr_admin=True)

    def for_people_list(self) -> "UserQuerySet":
        return self.order_by("full_name", "email")


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        # The first account of a new installation must be able to run it from the product's
        # own pages, so a superuser is an HR admin too.
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("is_hr_admin", True)
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    # The reporting line: matching never pairs two people inside one line. A manager need not
    # take part in any program.
    department = models.CharField(_("department"), max_length=120, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    is_hr_admin = models.BooleanField(
        _("HR admin"),
        default=False,
        help_text=_("Runs programs: configures them, brings people in, matches and watches them."),
    )
    is_executive = models.BooleanField(
        _("executive"),
        default=False,
        help_text=_("Sponsors programs: sees dashboards of aggregates, never individuals."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("May sign in to the Django admin back office."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_labels(self) -> list[str]:
        labels = []
        if self.is_hr_admin:
            labels.append(_("HR admin"))
        if self.is_executive:
            labels.append(_("Executive"))
        return labels


class ErasureRequestQuerySet(models.QuerySet):
    def open(self) -> "ErasureRequestQuerySet":
        return self.filter(handled_at__isnull=True)

    def for_hr_list(self) -> "ErasureRequestQuerySet":
        return self.open().select_related("user").order_by("requested_at", "pk")


class ErasureRequest(models.Model):
    """A person asked HR to erase their personal data; open until HR anonymises the account."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="erasure_requests"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            # Asking twice while the first request is open adds nothing.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(handled_at__isnull=True),
                name="one_open_erasure_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.requested_at:%Y-%m-%d}"
