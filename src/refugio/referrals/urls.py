from django.urls import path

from refugio.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("<int:referral_id>/", views.referral_page, name="referral"),
    path("<int:referral_id>/accept/", views.accept, name="accept"),
    path("<int:referral_id>/decline/", views.decline, name="decline"),
    path("<int:referral_id>/complete/", views.complete, name="complete"),
    path("<int:referral_id>/withdraw/", views.withdraw, name="withdraw"),
    path("services/", views.directory_page, name="directory"),
    path("services/<uuid:service_id>/", views.service_page, name="service"),
    path("households/<uuid:household_id>/refer/", views.refer_page, name="refer"),
    path("directory/hsds/", views.hsds_page, name="hsds"),
    path("directory/hsds/export.json", views.hsds_export, {"fmt": "json"}, name="hsds_export_json"),
    path("directory/hsds/export.zip", views.hsds_export, {"fmt": "zip"}, name="hsds_export_zip"),
]
