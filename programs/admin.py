"""Programs in the Django admin back office (no HR flow needs it)."""

from django.contrib import admin

from programs.models import Enrolment, LearnTopic, Program, TeachTopic, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_vi", "name_tr", "slug", "is_active"]
    search_fields = ["name", "name_vi", "name_tr", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "start_date", "end_date", "mentor_capacity"]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["topics"]
    # The lifecycle's rules live in services.program_transition; the back office shows status.
    readonly_fields = ["status", "created_by", "created_at", "updated_at"]


class TeachTopicInline(admin.TabularInline):
    model = TeachTopic
    extra = 0


class LearnTopicInline(admin.TabularInline):
    model = LearnTopic
    extra = 0


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "role", "status"]
    list_filter = ["program", "role", "status"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]
    readonly_fields = ["public_id", "invitation_key"]
    inlines = [TeachTopicInline, LearnTopicInline]
