"""The project's URLs."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from mentorship import views
from mentorship.accounts import saml
from mentorship.dashboard import views as dashboard_views
from mentorship.dashboard import views_pdf as dashboard_pdf_views

# The back office signs in through allauth: its rate limits and two-factor step apply too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
    path("dashboard/report.pdf", dashboard_pdf_views.dashboard_pdf, name="dashboard_pdf"),
    path("language/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("mentorship.accounts.urls")),
    path("", include("mentorship.audit.urls")),
    path("", include("programs.urls")),
    path("", include("matching.urls")),
    path("", include("feedback.urls")),
    # Before allauth's own view at the same address: see mentorship/accounts/saml.py.
    path(
        "accounts/saml/<str:organization_slug>/acs/",
        saml.acs_refusing_junk,
        name="saml_acs_refusing_junk",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
