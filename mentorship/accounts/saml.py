"""allauth's SAML finishing view, made to refuse a response that is not XML at all.

allauth catches a response that fails SAML's checks, but not one that cannot be parsed (junk,
an empty document, an XML bomb that lxml stops, a DTD or entities that python3-saml's parser
forbids): that would answer 500 and log an error for anyone who posts it. Here it fails like
any other refused sign-in: logged by the adapter, and the person is sent back to the sign-in
page. (Worth reporting upstream.)
"""

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.saml.views import finish_acs
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

# lxml's own error, and ValueError: text that is not base64 (non-ASCII), and python3-saml's
# parser refusing a DTD or entities (DTDForbidden, EntitiesForbidden are ValueErrors).
UNPARSABLE = (etree.XMLSyntaxError, ValueError)


@csrf_exempt  # as allauth's: the IdP posts here through the browser
def finish_acs_refusing_junk(request: HttpRequest, organization_slug: str) -> HttpResponse:
    try:
        return finish_acs(request, organization_slug=organization_slug)
    except UNPARSABLE as error:
        provider = get_adapter().get_provider(request, "saml", client_id=organization_slug)
        return render_authentication_error(request, provider, exception=error)
