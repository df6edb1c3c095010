from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from refugio.api import api
from refugio.health import healthz
from refugio.legal import views as legal_views
from refugio.registration import intake_views, register_view
from refugio.registration import views as registration_views

admin.site.site_header = "Refugio configuration"
handler500 = "refugio.core.outage.server_error"  # a database outage met in a middleware answers 503

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", registration_views.landing, name="landing"),  # public; staff cases are at /cases/
    path("status/", registration_views.status_lookup, name="status"),
    path("register/", register_view.register, name="register"),
    path("register/done/", register_view.register_done, name="register_done"),
    path("intake/", intake_views.intake_page, name="intake"),
    path("intake/sw.js", intake_views.intake_service_worker, name="intake_sw"),
    path("intake/import/", registration_views.intake_import, name="intake_import"),
    path("api/v1/", api.urls),
    path("accounts/", include("refugio.accounts.urls")),
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", include("refugio.audit.urls")),
    path("escalations/", include("refugio.escalations.urls")),
    path("legal/", include("refugio.legal.urls")),
    path("triage/", include("refugio.triage.urls")),
    path("planning/", include("refugio.planning.urls")),
    path("calendar/<str:token>.ics", legal_views.ical, name="ical"),
    path("", include("refugio.people.urls")),
]
