"""The roster is configuration; representations and hearings belong to cases and stay out of the admin."""

from django.contrib import admin

from refugio.legal.models import Representative


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "capacity", "available"]
    list_filter = ["kind", "available", "organisation"]
    search_fields = ["name"]
