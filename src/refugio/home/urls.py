from django.urls import path

from refugio.home import views

urlpatterns = [path("", views.staff_home, name="staff_home")]
