"""Account pages: HR's list of people (create accounts, assign roles) and a person's profile."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mentorship.accounts import services
from mentorship.accounts.forms import AccountCreateForm, PersonForm, ProfileForm, RolesForm
from mentorship.accounts.models import User
from mentorship.permissions import hr_admin_required

PEOPLE_PER_PAGE = 50


@require_http_methods(["GET"])
@hr_admin_required
def people(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    people = User.objects.for_people_list()
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {"page": page, "query": query, "page_query": urlencode({"q": query}) if query else ""},
    )


@require_http_methods(["GET", "POST"])
@hr_admin_required
def person_create(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create(
                request=request,
                created_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Account created. %(email)s was sent a link to choose a password.")
                % {"email": user.email},
            )
            return redirect("accounts:people")
    return render(request, "accounts/person_create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@hr_admin_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.select_related("manager"), pk=pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.account_update(user=person, manager=data.pop("manager_email"), **data)
        except ValidationError as error:
            # A dict of field errors lands on its fields, a plain one at the top of the form.
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": person})
            return redirect("accounts:people")
    return render(request, "accounts/person_edit.html", {"form": form, "person": person})


@require_POST
@hr_admin_required
def person_roles(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            services.account_set_roles(changed_by=request.user, user=person, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Roles of %(name)s saved.") % {"name": person})
    return redirect("accounts:people")


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
