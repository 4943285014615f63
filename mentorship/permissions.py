"""Who may do what: the one place to read the access rules of the site-wide roles.

Views use the decorators; navigation and templates use the predicates, so that a link is shown
exactly when its page would open.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def can_manage_people(user) -> bool:
    """HR admins create accounts and assign the site-wide roles."""
    return user.is_authenticated and user.is_active and user.is_hr_admin


def can_run_programs(user) -> bool:
    """HR admins configure programs, bring people in, match and watch them."""
    return user.is_authenticated and user.is_active and user.is_hr_admin


def can_view_dashboards(user) -> bool:
    """Executives and HR admins see dashboards (aggregates only)."""
    return user.is_authenticated and user.is_active and (user.is_executive or user.is_hr_admin)


def _requires(predicate: Callable) -> Callable:
    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


hr_admin_required = _requires(can_manage_people)
dashboard_viewer_required = _requires(can_view_dashboards)
