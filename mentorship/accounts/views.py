"""Account pages: HR's list of people (create accounts, assign roles, erase), a person's profile,
their data as a download and their request for erasure."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mentorship.accounts import services
from mentorship.accounts.forms import AccountCreateForm, PersonForm, ProfileForm, RolesForm
from mentorship.accounts.models import ErasureRequest, User
from mentorship.accounts.personal_data import personal_data_export
from mentorship.permissions import hr_admin_required
from mentorship.search_terms import search_posted, search_term

PEOPLE_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
@hr_admin_required
def people(request: HttpRequest) -> HttpResponse:
    if searched := search_posted(request, "people"):
        return searched
    search = search_term(request, "people")
    people = User.objects.for_people_list()
    if search:
        people = people.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/people.html", {"page": page, "search": search})


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
            services.account_update(
                user=person, manager=data.pop("manager_email"), by=request.user, **data
            )
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


@require_http_methods(["GET"])
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own data as a JSON file (no id in the address: only one's own)."""
    data = personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET"])
@login_required
def erasure_confirm(request: HttpRequest) -> HttpResponse:
    pending = ErasureRequest.objects.open().filter(user=request.user).first()
    return render(request, "accounts/erasure_confirm.html", {"pending": pending})


@require_POST
@login_required
def erasure_request(request: HttpRequest) -> HttpResponse:
    _request, created = services.erasure_request_create(user=request.user)
    if created:
        messages.success(request, _("Your request was sent to HR. They will erase your data."))
    else:
        messages.info(request, _("You have already asked for your data to be erased."))
    return redirect("accounts:profile")


@require_http_methods(["GET"])
@hr_admin_required
def erasure_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/erasure_requests.html",
        {"erasure_requests": ErasureRequest.objects.for_hr_list()},
    )


@require_http_methods(["GET"])
@hr_admin_required
def person_erase_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    return render(request, "accounts/person_erase_confirm.html", {"person": person})


@require_POST
@hr_admin_required
def person_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    try:
        services.account_anonymise(user=person, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("accounts:person_edit", pk=person.pk)
    messages.success(request, _("The personal data of account #%(id)s was erased.") % {"id": pk})
    return redirect("accounts:people")
