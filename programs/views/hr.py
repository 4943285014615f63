"""TEMPORARY placeholder: being written."""

from django.http import Http404


def program_list(request, *args, **kwargs):
    raise Http404


def program_create(request, *args, **kwargs):
    raise Http404


def program_detail(request, *args, **kwargs):
    raise Http404


def program_edit(request, *args, **kwargs):
    raise Http404


def program_transition(request, *args, **kwargs):
    raise Http404


def program_duplicate(request, *args, **kwargs):
    raise Http404


def participant_list(request, *args, **kwargs):
    raise Http404


def participant_detail(request, *args, **kwargs):
    raise Http404


def participant_decide(request, *args, **kwargs):
    raise Http404


def participant_withdraw(request, *args, **kwargs):
    raise Http404

