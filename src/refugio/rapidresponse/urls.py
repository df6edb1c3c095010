from django.urls import path

from refugio.rapidresponse import views

app_name = "rapidresponse"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("on-call/", views.on_call, name="on_call"),
    path("on-call/<int:shift_id>/end/", views.shift_end, name="shift_end"),
    path("new/<uuid:household_id>/", views.alert_new, name="new"),
    path("<uuid:alert_id>/", views.alert_detail, name="detail"),
    path("<uuid:alert_id>/checklist/<str:step>/", views.checklist_update, name="checklist"),
    path("<uuid:alert_id>/status/", views.status_update, name="status"),
    path("<uuid:alert_id>/stay/", views.stay_new, name="stay_new"),
    path("stay/<uuid:stay_id>/", views.stay_update, name="stay_update"),
    path("stay/<uuid:stay_id>/document/", views.stay_document, name="stay_document"),
]
