"""Search terms HR types (a name, part of an address) never travel in a URL, where they would
stay in server logs, proxies and the browser's history. The search box posts its term; the
page keeps it in the signed-in session under the page's own key and sends the browser back to
itself, so its address, its pagination links and a reload carry no term.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SESSION_KEY = "search_terms"
FIELD = "q"
MAX_LENGTH = 100


def search_posted(request: HttpRequest, page: str) -> HttpResponse | None:
    """On a POST from a search box, the term is kept for `page` (an empty one forgets it) and
    the answer is a redirect to the page as it was asked for; None for any other request."""
    if request.method != "POST":
        return None
    # PostgreSQL refuses a NUL in a query: kept, it would break the page until replaced.
    term = request.POST.get(FIELD, "").replace("\x00", "").strip()[:MAX_LENGTH]
    terms = dict(request.session.get(SESSION_KEY, {}))
    if term:
        terms[page] = term
    else:
        terms.pop(page, None)
    request.session[SESSION_KEY] = terms
    # Back to the first page of the results, with the page's other filters (none personal).
    query = other_filters(request)
    return redirect(f"{request.path}?{query}" if query else request.path)


def other_filters(request: HttpRequest) -> str:
    """The query string without the page number and without a search term (an old bookmark
    may still carry one): what the page's own links may repeat."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop(FIELD, None)
    return query.urlencode()


def search_term(request: HttpRequest, page: str) -> str:
    return request.session.get(SESSION_KEY, {}).get(page, "")
