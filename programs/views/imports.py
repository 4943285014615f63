"""HR's CSV pages for a program: upload a participant file, confirm its preview, export the
participant list. The work is in programs.importing; these views only load and render."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mentorship.audit.services import audit_record
from programs import csv_format, importing
from programs.access import get_program_for_hr
from programs.forms_import import ImportUploadForm
from programs.models import Enrolment, LearnTopic, ParticipantImport, TeachTopic


@require_http_methods(["GET", "POST"])
@login_required
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    form = ImportUploadForm()
    errors: list[csv_format.RowError] = []
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            plan = importing.import_preview(
                program=program,
                text=form.cleaned_data["text"],
                create_topics=form.cleaned_data["create_topics"],
            )
            errors = plan.errors
            if not errors:
                upload = ParticipantImport.objects.create(
                    program=program,
                    uploaded_by=request.user,
                    filename=form.cleaned_data["file"].name[:255],
                    content=form.cleaned_data["text"],
                    create_topics=form.cleaned_data["create_topics"],
                )
                return redirect("programs:import_preview", slug=program.slug, import_id=upload.pk)
    return render(
        request,
        "programs/import_upload.html",
        {
            "program": program,
            "form": form,
            "errors": errors,
            "columns": csv_format.COLUMNS,
            "closed_reason": importing.closed_reason(program),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def import_preview(request: HttpRequest, slug: str, import_id) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    upload = get_object_or_404(ParticipantImport, pk=import_id, program=program)
    errors: list[csv_format.RowError] = []
    if request.method == "POST":
        try:
            result = importing.import_confirm(participant_import=upload, by=request.user)
        except importing.ImportAlreadyApplied:
            messages.warning(request, _("This import was already applied; nothing was changed."))
            return redirect("programs:participant_list", slug=program.slug)
        except importing.ImportRejected as rejected:
            # People or topics changed since the upload: show what is wrong now.
            errors = rejected.row_errors
        else:
            messages.success(request, _import_message(result))
            return redirect("programs:participant_list", slug=program.slug)
    plan = None
    if upload.applied_at is None and not errors:
        plan = importing.import_preview(
            program=program, text=upload.content, create_topics=upload.create_topics
        )
        errors = plan.errors
    return render(
        request,
        "programs/import_preview.html",
        {"program": program, "upload": upload, "plan": plan, "errors": errors},
    )


def _import_message(result: importing.ImportResult) -> str:
    message = _(
        "Import applied: %(created)s created, %(updated)s updated, %(unchanged)s unchanged."
    ) % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    if result.skipped:
        message += " " + ngettext(
            "%(count)s person was skipped: people who withdrew or were declined keep their "
            "decision.",
            "%(count)s people were skipped: people who withdrew or were declined keep their "
            "decision.",
            result.skipped,
        ) % {"count": result.skipped}
    if result.topics_created:
        message += " " + ngettext(
            "New topic added to the program: %(topics)s.",
            "New topics added to the program: %(topics)s.",
            len(result.topics_created),
        ) % {"topics": ", ".join(result.topics_created)}
    return message


@require_http_methods(["GET"])
@login_required
@never_cache
def participant_export(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_hr(request.user, slug)
    enrolments = (
        Enrolment.objects.for_participant_table(program)
        .prefetch_related(
            Prefetch(
                "teach_topics",
                queryset=TeachTopic.objects.select_related("topic").order_by("topic__slug"),
            ),
            Prefetch(
                "learn_topics",
                queryset=LearnTopic.objects.select_related("topic").order_by("topic__slug"),
            ),
        )
        .order_by("user__email")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{program.slug}-participants.csv"
    )
    # The byte order mark makes Excel read the file as UTF-8; the import accepts it.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(csv_format.EXPORT_COLUMNS)
    for enrolment in enrolments:
        user = enrolment.user
        cells = [
            user.email,
            user.full_name,
            enrolment.role,
            user.department,
            user.job_title,
            user.manager.email if user.manager else "",
            ";".join(enrolment.languages),
            enrolment.time_zone,
            # Slugs, not names: a slug never holds the ";" that separates topics, and the
            # import accepts slugs, so an edited export can be imported again.
            csv_format.format_topics(
                (item.topic.slug, item.level) for item in enrolment.teach_topics.all()
            ),
            csv_format.format_topics(
                (item.topic.slug, item.priority) for item in enrolment.learn_topics.all()
            ),
            enrolment.goals,
            enrolment.status,
            "yes" if enrolment.profile_is_complete else "no",
        ]
        writer.writerow([csv_format.neutralise_formula(str(cell)) for cell in cells])
    audit_record(actor=request.user, action="exported", target=program, rows=len(enrolments))
    return response
