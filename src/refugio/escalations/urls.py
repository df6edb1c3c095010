from django.urls import path

from refugio.escalations import views

app_name = "escalations"
urlpatterns = [
    path("", views.escalation_list, name="list"),
    path("report/", views.escalation_report, name="report"),
    path("rules/", views.escalation_rules, name="rules"),
    path("offices/", views.office_directory, name="offices"),
    path("new/<uuid:household_id>/", views.escalation_new, name="new"),
    path("<uuid:escalation_id>/", views.escalation_detail_page, name="detail"),
    path("<uuid:escalation_id>/messages/", views.escalation_message, name="message"),
    path("<uuid:escalation_id>/status/", views.escalation_status, name="status"),
    path("<uuid:escalation_id>/attachments/<int:attachment_id>/", views.escalation_attachment, name="attachment"),
]
