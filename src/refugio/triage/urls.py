from django.urls import path

from refugio.triage import views

app_name = "triage"
urlpatterns = [
    path("policy/", views.policy_page, name="policy"),
    path("<uuid:household_id>/override/", views.override, name="override"),
    path("<uuid:household_id>/override/end/", views.end_override, name="end_override"),
]
