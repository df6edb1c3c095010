"""Who sees which alerts, stay requests and rotas; who is told of an alert.

An alert is seen by whoever may see detention alerts (Subject.DETENTION) in an organisation that owns the
household or holds a live sharing grant for it. Agency liaisons are not among them: they see the escalation an
alert opened, through the escalation line, and never the alert's details. Anyone else: 404."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from refugio.accounts.models import Membership, Role
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.core.errors import NotFound
from refugio.legal.models import Representation, RepresentationStatus
from refugio.people.models import Household
from refugio.people.selectors import households_for_organisations
from refugio.rapidresponse.models import (
    ACTIVE_ALERT_STATUSES,
    DetentionAlert,
    NotifiedAs,
    OnCall,
    StayRequest,
)

User = AbstractBaseUser | AnonymousUser


def alert_households(user: User | None, verb: Verb = Verb.READ) -> QuerySet[Household]:
    return households_for_organisations(organisations_where(user, Subject.DETENTION, verb))


def visible_alerts(user: User | None, verb: Verb = Verb.READ) -> QuerySet[DetentionAlert]:
    return DetentionAlert.objects.filter(household__in=alert_households(user, verb)).select_related(
        "household", "person", "escalation__office"
    )


def get_household_for_alert(user: User, household_id: uuid.UUID | str, verb: Verb = Verb.CREATE) -> Household:
    try:
        return alert_households(user, verb).select_related("owner").get(id=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def get_alert(user: User, alert_id: uuid.UUID | str, verb: Verb = Verb.READ) -> DetentionAlert:
    try:
        return visible_alerts(user, verb).get(id=alert_id)
    except (DetentionAlert.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def get_stay_request(user: User, stay_id: uuid.UUID | str, verb: Verb = Verb.READ) -> StayRequest:
    try:
        return StayRequest.objects.select_related("alert__household").get(
            id=stay_id, alert__in=visible_alerts(user, verb)
        )
    except (StayRequest.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def open_alerts(user: User) -> QuerySet[DetentionAlert]:
    """The alerts not yet closed on households of the user's organisations (owned or shared)."""
    return visible_alerts(user).filter(status__in=ACTIVE_ALERT_STATUSES)


def open_alerts_of_household(user: User, household_id: uuid.UUID | str) -> QuerySet[DetentionAlert]:
    return open_alerts(user).filter(household_id=household_id)


def represented_household_ids(user: User) -> QuerySet[Any]:
    """Households where the user is the representative of an accepted representation."""
    if not user.is_authenticated:
        return Representation.objects.none().values("household_id")
    return Representation.objects.filter(status=RepresentationStatus.ACCEPTED, representative__user_id=user.pk).values(
        "household_id"
    )


def open_alerts_for_attorney(user: User) -> QuerySet[DetentionAlert]:
    return open_alerts(user).filter(household_id__in=represented_household_ids(user))


def on_call_now(organisation_id: int, now: dt.datetime | None = None) -> QuerySet[OnCall]:
    now = now or timezone.now()
    return OnCall.objects.filter(organisation_id=organisation_id, starts_at__lte=now, ends_at__gt=now).select_related(
        "user"
    )


def rota(organisation_id: int, now: dt.datetime | None = None) -> QuerySet[OnCall]:
    """The shifts not yet over, earliest first."""
    now = now or timezone.now()
    return OnCall.objects.filter(organisation_id=organisation_id, ends_at__gt=now).select_related("user")


def rota_organisations(user: User) -> list[int]:
    """The organisations whose rota this user sets (their administrators)."""
    return sorted(organisations_where(user, Subject.POLICY, Verb.WRITE))


def members_of(organisation_id: int) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation_id=organisation_id, user__is_active=True).select_related("user")


def who_to_tell(alert: DetentionAlert, now: dt.datetime | None = None) -> list[tuple[Any, str, str]]:
    """(user, address, notified as): the attorneys of the case (accepted representations), the owning
    organisation's people on call now, or its administrators when nobody is on call. Each user once."""
    found: list[tuple[Any, str, str]] = []
    seen: set[int] = set()

    def add(user: Any, address: str, as_: str) -> None:  # noqa: ANN401
        if user is None or not user.is_active or user.pk in seen:
            return
        seen.add(user.pk)
        found.append((user, address or user.email, as_))

    for representation in Representation.objects.filter(
        household_id=alert.household_id, status=RepresentationStatus.ACCEPTED
    ).select_related("representative__user"):
        representative = representation.representative
        add(representative.user, representative.email, NotifiedAs.ATTORNEY)
    owner = alert.household.owner_id
    shifts = list(on_call_now(owner, now))
    for shift in shifts:
        add(shift.user, shift.email, NotifiedAs.ON_CALL)
    if not shifts:
        for membership in members_of(owner).filter(role=Role.ORG_ADMIN):
            add(membership.user, "", NotifiedAs.ORG_ADMIN)
    return found
