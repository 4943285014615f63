"""allauth's SAML ACS view, refusing a response that cannot even be parsed (junk, non-ASCII
text, a DTD or entities) as a failed sign-in: allauth's finishing view would answer it 500.

The response is parsed here as python3-saml parses it, before allauth stores it, so that only
errors of parsing are caught, never one of the sign-in that follows. (Worth reporting upstream.)
"""

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.saml.views import acs
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

# Text that is not base64 (binascii.Error is a ValueError, non-ASCII a plain one), and
# python3-saml's parser refusing a DTD or entities (its DTDForbidden... are ValueErrors too).
UNPARSABLE = (ValueError, etree.XMLSyntaxError)


@csrf_exempt  # as allauth's: the IdP posts here through the browser, from its own site
def acs_refusing_junk(request: HttpRequest, organization_slug: str) -> HttpResponse:
    if request.method == "POST":  # python3-saml reads the response of a POST only
        try:
            OneLogin_Saml2_XML.to_etree(
                OneLogin_Saml2_Utils.b64decode(request.POST.get("SAMLResponse", ""))
            )
        except UNPARSABLE as error:
            provider = get_adapter().get_provider(request, "saml", client_id=organization_slug)
            return render_authentication_error(request, provider, exception=error)
    return acs(request, organization_slug=organization_slug)
