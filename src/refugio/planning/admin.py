"""Ports of entry are configuration (which cities they serve, which agency receives their manifests, what
people must bring); their daily capacity is edited by coordinators on the Entry plan page."""

from django.contrib import admin

from refugio.planning.models import PortOfEntry


@admin.register(PortOfEntry)
class PortOfEntryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "destination", "agency"]
    search_fields = ["code", "name"]
