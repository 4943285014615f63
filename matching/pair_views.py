"""TEMPORARY placeholder: being written."""

from django.http import Http404


def pair_detail(request, *args, **kwargs):
    raise Http404


def pair_end(request, *args, **kwargs):
    raise Http404


def action_add(request, *args, **kwargs):
    raise Http404


def action_done(request, *args, **kwargs):
    raise Http404


def session_log(request, *args, **kwargs):
    raise Http404


def session_confirm(request, *args, **kwargs):
    raise Http404

