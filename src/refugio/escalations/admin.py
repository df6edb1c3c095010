"""The agency directory and response rules are configuration; escalations themselves are not in the admin."""

from django.contrib import admin

from refugio.escalations.models import AgencyOffice, OfficeContact, ResponseRule


class ContactInline(admin.TabularInline):
    model = OfficeContact
    extra = 1


@admin.register(AgencyOffice)
class AgencyOfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "organisation"]
    list_filter = ["kind"]
    inlines = [ContactInline]


@admin.register(ResponseRule)
class ResponseRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "acknowledge_within", "acknowledge_unit", "resolve_within", "resolve_unit"]
