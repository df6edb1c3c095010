from django.urls import path

from refugio.transport import views

app_name = "transport"
urlpatterns = [
    path("", views.trips_page, name="trips"),
    path("trips/new/", views.trip_create, name="trip_create"),
    path("trips/<int:trip_id>/", views.trip_page, name="trip"),
    path("trips/<int:trip_id>/book/", views.trip_book, name="trip_book"),
    path("tickets/<int:ticket_id>/cancel/", views.ticket_cancel, name="ticket_cancel"),
    path("households/<uuid:household_id>/itinerary/", views.itinerary_page, name="itinerary"),
    path("households/<uuid:household_id>/itinerary/send/", views.itinerary_send, name="itinerary_send"),
    path("households/<uuid:household_id>/relocation/", views.relocation_page, name="relocation"),
]
