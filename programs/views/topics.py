"""TEMPORARY placeholder: being written."""

from django.http import Http404


def topic_list(request, *args, **kwargs):
    raise Http404


def topic_create(request, *args, **kwargs):
    raise Http404


def topic_edit(request, *args, **kwargs):
    raise Http404

