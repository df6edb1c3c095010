from django.urls import path

from refugio.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("inbox/", views.inbox_page, name="inbox"),
    path("catalogue/", views.catalogue_page, name="catalogue"),
    path("households/<uuid:household_id>/", views.household_messages, name="household"),
    path("households/<uuid:household_id>/read/", views.mark_read, name="mark_read"),
    path("households/<uuid:household_id>/channels/", views.set_channels, name="channels"),
    path("households/<uuid:household_id>/reply/", views.reply, name="reply"),
    path("unknown/<uuid:inbound_id>/assign/", views.assign_unknown, name="assign"),
    path("unknown/<uuid:inbound_id>/dismiss/", views.dismiss_unknown, name="dismiss"),
]
