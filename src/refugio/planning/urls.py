from django.urls import path

from refugio.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("capacity/<str:kind>/", views.change_capacity, name="capacity"),
    path("runs/", views.run_plan, name="run_plan"),
    path("runs/<int:plan_id>/", views.run_page, name="run"),
    path("runs/<int:plan_id>/publish/", views.publish, name="publish"),
    path("manifests/", views.manifests, name="manifests"),
    path("manifests/<str:port_code>/<str:date>/", views.manifest, name="manifest"),
]
