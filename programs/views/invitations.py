"""TEMPORARY placeholder: being written."""

from django.http import Http404


def invitation_resend(request, *args, **kwargs):
    raise Http404


def invite(request, *args, **kwargs):
    raise Http404


def invitation_accept(request, *args, **kwargs):
    raise Http404

