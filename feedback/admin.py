"""The back office for surveys: templates with their questions, schedules, and the delivery log
(read-only). Responses, answers and invitations are deliberately not registered: the admin must
offer no way to put an anonymous answer next to a person."""

from django.contrib import admin

from feedback.models import Delivery, Question, SurveySchedule, SurveyTemplate
from feedback.services import survey_schedule_is_locked, survey_template_is_locked


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        "position",
        "kind",
        "key",
        "text",
        "text_vi",
        "text_tr",
        "choices",
        "choices_vi",
        "choices_tr",
        "required",
    ]

    # The same lock as HR's pages: the questions of a survey that was sent do not change.
    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and not _locked(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not _locked(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not _locked(obj)


def _locked(template: SurveyTemplate | None) -> bool:
    return template is not None and survey_template_is_locked(template)


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "is_anonymous", "created_at"]
    list_filter = ["is_anonymous"]
    search_fields = ["name", "name_vi", "name_tr"]
    readonly_fields = ["key", "created_by", "created_at"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if _locked(obj):
            fields.append("is_anonymous")
        return fields


@admin.register(SurveySchedule)
class SurveyScheduleAdmin(admin.ModelAdmin):
    list_display = ["program", "template", "trigger", "audience", "is_active"]
    list_filter = ["trigger", "audience", "is_active"]
    search_fields = ["program__name", "template__name"]
    list_select_related = ["program", "template"]
    autocomplete_fields = ["program"]
    readonly_fields = ["created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and survey_schedule_is_locked(obj):
            # As on HR's page: a schedule that has sent keeps its survey and its timing.
            fields += ["template", "trigger", "offset_days", "delay_hours", "every_weeks"]
        return fields


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """A log to read: sending and retrying belong to the tasks and to HR's deliveries page.
    Survey mails are left out: when a person's reminders stopped tells when they answered,
    which is close to telling which anonymous answer is theirs."""

    list_display = ["key", "kind", "recipient", "status", "due_at", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "due_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .exclude(kind__in=[Delivery.Kind.SURVEY, Delivery.Kind.SURVEY_REMINDER])
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
