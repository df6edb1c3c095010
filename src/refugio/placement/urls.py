from django.urls import path

from refugio.placement import views

app_name = "placement"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("capacity/<int:destination_id>/", views.capacity, name="capacity"),
    path("runs/", views.run, name="run"),
    path("runs/<int:run_id>/", views.review, name="review"),
    path("runs/<int:run_id>/publish/", views.publish, name="publish"),
    path("assignments/<int:assignment_id>/override/", views.override, name="override"),
    path("received/", views.received, name="received"),
    path("model/", views.model, name="model"),
    path("households/<uuid:household_id>/tie/", views.family_tie, name="family_tie"),
]
