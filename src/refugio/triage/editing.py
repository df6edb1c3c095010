"""Saving a policy edited in the form: only over the version the editor started from, so two administrators
editing at once never overwrite each other silently."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from refugio.accounts.models import Organisation
from refugio.accounts.selectors import organisation_ids_for
from refugio.audit.services import Actor
from refugio.core.errors import PermissionDenied, VersionConflict
from refugio.triage import services
from refugio.triage.models import PolicyVersion


def latest_version_number(organisation_id: int) -> int:
    """The newest saved version's number; 0 while Refugio's default policy is in use."""
    found = PolicyVersion.objects.filter(organisation_id=organisation_id).aggregate(n=Max("version"))["n"]
    return int(found or 0)


def save_edited_policy(
    actor: Actor, *, organisation_id: int, text: str, note: str = "", based_on: int
) -> PolicyVersion:
    """A new version, if the newest is still `based_on` (the version the form was filled from); else
    VersionConflict and nothing is saved."""
    if organisation_id not in organisation_ids_for(actor.user, services.POLICY_ROLES):
        raise PermissionDenied(_("Only the organisation's administrators can change its triage policy."))
    conflict = VersionConflict(
        _("Someone saved a new version of this policy while you were editing it. Nothing was saved: reload the page.")
    )
    try:
        with transaction.atomic():
            # Serialises two saves of one organisation's policy (PostgreSQL; SQLite serialises writes anyway).
            Organisation.objects.select_for_update().filter(pk=organisation_id).first()
            if latest_version_number(organisation_id) != based_on:
                raise conflict
            return services.save_policy(actor, organisation_id=organisation_id, text=text, note=note)
    except IntegrityError as exc:  # the other save won the race for the same version number
        raise conflict from exc
