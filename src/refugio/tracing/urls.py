from django.urls import path

from refugio.tracing import views

app_name = "tracing"
urlpatterns = [
    path("", views.index, name="index"),
    path("households/<uuid:household_id>/new/", views.new_request, name="new"),
    path("requests/<uuid:request_id>/", views.request_page, name="request"),
    path("requests/<uuid:request_id>/close/", views.close, name="close"),
    path("requests/<uuid:request_id>/notes/", views.add_note, name="note"),
    path("candidates/<uuid:candidate_id>/", views.held_page, name="held"),
    path("candidates/<uuid:candidate_id>/<slug:step>/", views.act, name="act"),
]
