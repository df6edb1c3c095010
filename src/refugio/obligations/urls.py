from django.urls import path

from refugio.obligations import views

app_name = "obligations"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("households/<uuid:household_id>/", views.household_page, name="household"),
    path("households/<uuid:household_id>/obligations.ics", views.household_ics, name="household_ics"),
    path("households/<uuid:household_id>/appointments/new/", views.appointment_add, name="appointment_add"),
    path("households/<uuid:household_id>/filings/new/", views.filing_add, name="filing_add"),
]
