from django.urls import path

from refugio.preferences import views

app_name = "preferences"
urlpatterns = [path("", views.preference_page, name="page")]
