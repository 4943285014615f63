"""TEMPORARY placeholder: being written."""

from django.http import Http404


def pair_list(request, *args, **kwargs):
    raise Http404


def pair_end(request, *args, **kwargs):
    raise Http404

