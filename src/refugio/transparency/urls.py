from django.urls import path

from refugio.transparency import views

app_name = "statistics"

urlpatterns = [
    path("statistics/", views.statistics_page, name="page"),
    path("statistics.csv", views.statistics_csv, name="csv"),
    path("statistics.xlsx", views.statistics_xlsx, name="xlsx"),
]
