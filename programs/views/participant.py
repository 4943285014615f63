"""TEMPORARY placeholder: being written."""

from django.http import Http404


def my_programs(request, *args, **kwargs):
    raise Http404


def apply(request, *args, **kwargs):
    raise Http404


def my_profile(request, *args, **kwargs):
    raise Http404


def guidelines(request, *args, **kwargs):
    raise Http404

