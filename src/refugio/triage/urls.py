from django.urls import path

from refugio.triage import views

app_name = "triage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("policy/", views.policy_page, name="policy"),
    path("policy/yaml/", views.policy_yaml, name="policy_yaml"),
    path("<uuid:household_id>/override/", views.override, name="override"),
    path("<uuid:household_id>/override/end/", views.end_override, name="end_override"),
    path(
        "people/<uuid:person_id>/vulnerabilities/<slug:code>/confirm/",
        views.confirm_vulnerability,
        name="confirm_vulnerability",
    ),
]
