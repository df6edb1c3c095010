from django.urls import path

from refugio.reception import views

app_name = "reception"
urlpatterns = [
    path("", views.shelter_list, name="shelters"),
    path("shelters/new/", views.shelter_new, name="shelter_new"),
    path("shelters/<int:shelter_id>/", views.shelter_page, name="shelter"),
    path("shelters/<int:shelter_id>/grants/", views.grant_add, name="grant_add"),
    path("shelters/<int:shelter_id>/grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("shelters/<int:shelter_id>/arrivals/", views.arrivals, name="arrivals"),
    path("shelters/<int:shelter_id>/place/", views.place_here, name="place_here"),
    path("placements/<int:placement_id>/<str:action>/", views.placement_action, name="placement_action"),
    path("households/<uuid:household_id>/place/", views.household_place, name="household_place"),
]
