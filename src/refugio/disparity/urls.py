from django.urls import path

from refugio.disparity import views

app_name = "disparity"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("run/", views.run_now, name="run"),
    path("microdata/", views.microdata_export, name="microdata"),
    path("households/<uuid:household_id>/self-identification/", views.self_identification, name="self_identification"),
]
