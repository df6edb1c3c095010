"""Store the default response rule of every category once, here, so reading the rules never writes.

The values are frozen in this migration (services.DEFAULT_RULES may change later; stored rules are then
edited by coordinators, not by a migration). A category that has a rule already keeps it."""

from django.db import migrations

HOURS, BUSINESS_DAYS = "hours", "business_days"
# category: (acknowledge within, unit, resolve within, unit)
DEFAULTS = {
    "imminent_removal": (2, HOURS, 12, HOURS),
    "detained": (24, HOURS, 72, HOURS),
    "medical": (2, HOURS, 24, HOURS),
    "family_separated": (24, HOURS, 5, BUSINESS_DAYS),
}
OTHER = (5, BUSINESS_DAYS, 15, BUSINESS_DAYS)
CATEGORIES = (
    "detained",
    "surveillance",
    "imminent_removal",
    "family_separated",
    "documents",
    "missing_appointment",
    "medical",
    "other",
)


def create_defaults(apps, schema_editor):  # noqa: ANN001, ANN201
    ResponseRule = apps.get_model("escalations", "ResponseRule")
    existing = set(ResponseRule.objects.values_list("category", flat=True))
    ResponseRule.objects.bulk_create(
        [
            ResponseRule(
                category=category,
                acknowledge_within=ack,
                acknowledge_unit=ack_unit,
                resolve_within=res,
                resolve_unit=res_unit,
            )
            for category in CATEGORIES
            if category not in existing
            for ack, ack_unit, res, res_unit in [DEFAULTS.get(category, OTHER)]
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("escalations", "0002_encrypt_attachment_name")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
