from django.urls import path

from refugio.casemanagement import views

app_name = "casemanagement"
urlpatterns = [
    path("", views.home, name="home"),
    path("households/<uuid:household_id>/", views.household, name="household"),
    path("households/<uuid:household_id>/plan/new/", views.plan_new, name="plan_new"),
    path("households/<uuid:household_id>/plan/close/", views.plan_close, name="plan_close"),
    path("households/<uuid:household_id>/check-ins/new/", views.check_in_new, name="check_in_new"),
    path("outreach/<int:outreach_id>/", views.outreach, name="outreach"),
    path("outreach/<int:outreach_id>/step/", views.outreach_step, name="outreach_step"),
    path("outreach/<int:outreach_id>/close/", views.outreach_close, name="outreach_close"),
    path("loads/", views.loads, name="loads"),
    path("plans/<int:case_plan_id>/reassign/", views.reassign, name="reassign"),
    path("hearings/", views.hearings, name="hearings"),
    path("hearings/<uuid:hearing_id>/outcome/", views.hearing_outcome, name="hearing_outcome"),
    path("report/", views.report, name="report"),
]
