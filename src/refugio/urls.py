from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from refugio.api import api
from refugio.health import healthz
from refugio.legal import views as legal_views
from refugio.messaging import hooks as messaging_hooks
from refugio.registration import intake_views, register_view
from refugio.registration import views as registration_views

admin.site.site_header = "Refugio configuration"
handler500 = "refugio.core.outage.server_error"  # a database outage met in a middleware answers 503

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("hooks/twilio/status", messaging_hooks.twilio_status, name="twilio_status"),  # signed by Twilio
    path("hooks/twilio/inbound", messaging_hooks.twilio_inbound, name="twilio_inbound"),
    path("hooks/whatsapp", messaging_hooks.whatsapp_cloud, name="whatsapp_cloud"),  # signed by Meta
    path("", registration_views.landing, name="landing"),  # public; signed-in staff go to /home/
    path("status/", registration_views.status_lookup, name="status"),
    path("public/", include("refugio.transparency.urls")),  # public statistics: the latest release, unchanged
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
    path("home/", include("refugio.home.urls")),  # staff: each role's work
    path("preferences/", include("refugio.preferences.urls")),  # staff: language and time zone
    path("escalations/", include("refugio.escalations.urls")),
    path("legal/", include("refugio.legal.urls")),
    path("triage/", include("refugio.triage.urls")),
    path("messages/", include("refugio.messaging.urls")),  # staff: delivery, inbox, a household's messages
    path("planning/", include("refugio.planning.urls")),
    path("placement/", include("refugio.placement.urls")),
    path("disparities/", include("refugio.disparity.urls")),  # analysts and admins: waits and entries by group
    path("reception/", include("refugio.reception.urls")),
    path("transport/", include("refugio.transport.urls")),
    path("referrals/", include("refugio.referrals.urls")),
    path("case-management/", include("refugio.casemanagement.urls")),
    path("obligations/", include("refugio.obligations.urls")),
    path("rapid-response/", include("refugio.rapidresponse.urls")),
    path("remedies/", include("refugio.remedies.urls")),
    path("tracing/", include("refugio.tracing.urls")),  # double-blind family tracing across organisations
    path("calendar/<str:token>.ics", legal_views.ical, name="ical"),
    path("", include("refugio.people.urls")),
]
