"""HR admins' topic catalogue: the topics programs can offer, named in every language."""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mentorship.permissions import hr_admin_required
from programs.forms import TopicForm
from programs.models import Topic


@require_GET
@hr_admin_required
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = Topic.objects.annotate(programs=Count("program")).order_by("-is_active", "name")
    return render(request, "programs/topic_list.html", {"topics": topics})


@require_http_methods(["GET", "POST"])
@hr_admin_required
def topic_create(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Topic added to the catalogue."))
        return redirect("programs:topic_list")
    return render(request, "programs/topic_form.html", {"form": form, "topic": None})


@require_http_methods(["GET", "POST"])
@hr_admin_required
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    form = TopicForm(request.POST or None, instance=topic)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Topic saved."))
        return redirect("programs:topic_list")
    return render(request, "programs/topic_form.html", {"form": form, "topic": topic})
