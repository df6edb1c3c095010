from django.urls import path
from django.views.generic import RedirectView

from refugio.people import views

app_name = "people"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="people:case_list"), name="home"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.household_create, name="household_create"),
    path("cases/<uuid:household_id>/", views.household_page, name="household"),
    path("cases/<uuid:household_id>/edit/", views.household_edit, name="household_edit"),
    path("cases/<uuid:household_id>/members/new/", views.person_add, name="person_add"),
    path("cases/<uuid:household_id>/share/", views.household_share, name="household_share"),
    path("people/<uuid:person_id>/edit/", views.person_edit, name="person_edit"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("cases/<uuid:household_id>/consents/", views.consent_add, name="consent_add"),
    path("consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("duplicates/", views.duplicates_page, name="duplicates"),
    path("duplicates/<int:flag_id>/", views.duplicate_resolve, name="duplicate_resolve"),
    path("duplicates/merges/<int:merge_id>/", views.merge_page, name="merge"),
]
