"""A staff member sets their own language and time zone (nobody else's). Audited."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import PermissionDenied, ValidationFailed
from refugio.preferences.models import StaffPreference
from refugio.preferences.vocabulary import TIME_ZONES


def set_preference(actor: Actor, *, language: str, time_zone: str) -> StaffPreference:
    user = actor.user
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to choose your language and time zone."))
    errors: dict[str, str] = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose one of the languages listed.")
    if time_zone not in TIME_ZONES:
        errors["time_zone"] = _("Choose one of the time zones listed.")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        preference, _created = StaffPreference.objects.update_or_create(
            user_id=user.pk, defaults={"language": language, "time_zone": time_zone, "updated_at": timezone.now()}
        )
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("staff_preference", str(user.pk), None, ["language", "time_zone"])],
        )
    return preference
