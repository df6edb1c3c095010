"""Writes of disparity monitoring: self-identification with consent (recorded, withdrawn), and the monitor's
checks and alerts. Every write is audited; the category itself is never written to the log."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Membership
from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import organisations_where
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import NotFound, ValidationFailed
from refugio.disparity import selectors
from refugio.disparity.models import DisparityAlert, DisparityCheck, SelfIdentification
from refugio.disparity.tasks import email_alerts
from refugio.disparity.vocabulary import RaceEthnicity


def _touch(identification: SelfIdentification, fields: tuple[str, ...]) -> Touch:
    return Touch("self_identification", str(identification.pk), identification.person.household.owner_id, fields)


def record_self_identification(
    actor: Actor, *, household_id: uuid.UUID, person_id: uuid.UUID, category: str, consent: bool
) -> SelfIdentification:
    """Record what a person chose to state, only with their explicit consent to its use for monitoring. A
    person has at most one standing answer: a new one replaces the old (which is withdrawn and erased)."""
    if actor.user is None:
        raise NotFound
    household = selectors.household_for_self_identification(actor.user, household_id, Verb.WRITE)
    errors: dict[str, str] = {}
    person = selectors.household_members(household).filter(pk=person_id).first()
    if person is None:
        errors["person"] = _("Choose a member of this household.")
    if category not in RaceEthnicity.values:
        errors["category"] = _("Choose one of the answers.")
    if not consent:
        errors["consent"] = _("Record this only if the person agreed to it being used to check for unfair waits.")
    if errors or person is None:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        for old in SelfIdentification.objects.select_for_update().filter(person=person, withdrawn_at__isnull=True):
            _withdraw(actor, old, now)
        identification = SelfIdentification.objects.create(
            person=person, category=category, consent_given_at=now, recorded_by_id=actor.user_id
        )
        identification.person = person
        record(actor, action=Action.CREATE, touches=[_touch(identification, ("category", "consent_given_at"))])
    return identification


def _withdraw(actor: Actor, identification: SelfIdentification, now: dt.datetime) -> None:
    identification.category = ""  # erased: nothing is kept once consent is withdrawn
    identification.withdrawn_at = now
    identification.withdrawn_by_id = actor.user_id
    identification.save(update_fields=["category", "withdrawn_at", "withdrawn_by"])
    record(actor, action=Action.REVOKE, touches=[_touch(identification, ("category", "withdrawn_at"))])


def withdraw_self_identification(actor: Actor, *, household_id: uuid.UUID, identification_id: int) -> None:
    """The person withdrew consent: the answer is erased and no longer counted."""
    if actor.user is None:
        raise NotFound
    household = selectors.household_for_self_identification(actor.user, household_id, Verb.WRITE)
    with transaction.atomic():
        identification = (
            SelfIdentification.objects.select_for_update()
            .select_related("person__household")
            .filter(pk=identification_id, person__household=household, withdrawn_at__isnull=True)
            .first()
        )
        if identification is None:
            raise NotFound
        _withdraw(actor, identification, timezone.now())


def run_monitor(actor: Actor, *, organisation_id: int, as_of: dt.date | None = None) -> DisparityCheck:
    """Compare waits and entries between groups of the organisation's own households; store the aggregates and
    alert the organisation's admins of every flagged group. The system runs it daily; analysts and admins of
    the organisation may run it by hand."""
    if actor.user is not None and organisation_id not in organisations_where(actor.user, Subject.DISPARITY, Verb.READ):
        raise NotFound
    as_of = as_of or timezone.localdate()
    results = selectors.compare_rows(selectors.organisation_rows(organisation_id, as_of))
    flagged = [
        (dimension, group, result["reference"], result["groups"][0])
        for dimension, result in results.items()
        for group in result["groups"]
        if group["flagged"]
    ]
    recipients = list(
        Membership.objects.filter(
            organisation_id=organisation_id, role__in=roles_for(Subject.DISPARITY, Verb.CONFIRM), user__is_active=True
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    with transaction.atomic():
        previous = DisparityCheck.objects.filter(organisation_id=organisation_id).order_by("-run_at", "-id").first()
        standing = {
            (a.recipient_id, a.dimension, a.group): a
            for a in (DisparityAlert.objects.filter(check_run=previous) if previous is not None else [])
        }
        check = DisparityCheck.objects.create(
            organisation_id=organisation_id,
            as_of=as_of,
            run_by_id=actor.user_id,
            results=results,
            flagged=len(flagged),
        )
        DisparityAlert.objects.bulk_create(
            DisparityAlert(
                check_run=check,
                organisation_id=organisation_id,
                recipient_id=user_id,
                dimension=dimension,
                group=group["group"],
                entry_rate=group["entry_rate"]["estimate"],
                reference_group=reference or "",
                reference_rate=reference_figures["entry_rate"]["estimate"],
                hazard_ratio_high=(group["hazard_ratio"] or {}).get("high"),
                rate_ratio_high=(group["rate_ratio"] or {}).get("high"),
                repeat_of=standing.get((user_id, dimension, group["group"])),
            )
            for dimension, group, reference, reference_figures in flagged
            for user_id in recipients
        )
        record(actor, action=Action.CREATE, touches=[Touch("disparity_check", str(check.pk), organisation_id, ())])
        if flagged:
            check_id = check.pk
            transaction.on_commit(lambda: email_alerts.enqueue(check_id))
    return check


def run_all_monitors(as_of: dt.date | None = None) -> int:
    """The daily run: every organisation that holds households. The number of checks stored."""
    from refugio.people.models import Household

    system = Actor(None, "system")
    organisation_ids = sorted(set(Household.objects.values_list("owner_id", flat=True).distinct()))
    for organisation_id in organisation_ids:
        run_monitor(system, organisation_id=organisation_id, as_of=as_of)
    return len(organisation_ids)
