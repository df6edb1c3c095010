"""Configuration only: organisations, memberships and tokens. Case records are not in the admin,
because reads there would bypass the audit trail and the sharing rules."""

from django.contrib import admin

from refugio.accounts.models import ApiToken, Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "created_at", "last_used_at"]
    fields = ["user", "prefix", "digest", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request: object) -> bool:  # tokens come from create_token, shown once
        return False
