from django.urls import path

from refugio.legal import views

app_name = "legal"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("roster/", views.roster_page, name="roster"),
    path("suggestions/", views.suggestions_page, name="suggestions"),
    path("offers/", views.offers_page, name="offers"),
    path("offers/<int:representation_id>/respond/", views.respond, name="respond"),
    path("cases/<uuid:household_id>/offer/", views.offer, name="offer"),
    path("cases/<uuid:household_id>/hearings/new/", views.hearing_add, name="hearing_add"),
    path("feeds/new/", views.feed_create, name="feed_create"),
    path("feeds/<int:feed_id>/revoke/", views.feed_revoke, name="feed_revoke"),
]
