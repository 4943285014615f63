"""TEMPORARY placeholder: being written."""

from django.http import Http404


def session_propose(request, *args, **kwargs):
    raise Http404


def session_edit(request, *args, **kwargs):
    raise Http404


def session_cancel(request, *args, **kwargs):
    raise Http404


def session_ics(request, *args, **kwargs):
    raise Http404

