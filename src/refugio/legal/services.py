"""Writes for legal representation: offers, responses, hearings, calendar feeds, reminders."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Membership, Organisation, OrganisationKind, Role
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import SHARE_ROLES, organisation_ids_for, organisations_where
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import NotFound, ValidationFailed
from refugio.disclosure import disclose_one
from refugio.legal import calendar_feed, emails
from refugio.legal.deadlines import reminders_due, uncovered
from refugio.legal.models import (
    OPEN_REPRESENTATION,
    CalendarFeed,
    Expertise,
    Hearing,
    HearingKind,
    HearingMode,
    NoticeSent,
    Representation,
    RepresentationStatus,
    Representative,
    RepresentativeKind,
)
from refugio.legal.surfaces import HEARING_NOTICE
from refugio.people.models import Household
from refugio.people.services import PermissionDenied, check_can_share_with, grant_access
from refugio.people.vocabulary import COURTS, LANGUAGES, ConsentPurpose
from refugio.preferences.rendering import for_recipient
from refugio.preferences.selectors import preference_of

FEED_PREFIX = "cal_"


def _touch(household: Household, kind: str, object_id: object, fields: list[str]) -> Touch:
    return Touch(kind, str(object_id), household.owner_id, fields)


def offer_representation(actor: Actor, *, household: Household, representative_id: int) -> Representation:
    """A coordinator of the owning organisation offers the case to someone on the roster."""
    if household.owner_id not in organisation_ids_for(actor.user, SHARE_ROLES):
        raise PermissionDenied(_("Only the owning organisation's coordinators can offer a case."))
    representative = (
        Representative.objects.filter(id=representative_id).exclude(kind=RepresentativeKind.INTERPRETER).first()
    )
    if representative is None or not representative.available:
        raise ValidationFailed({"representative_id": _("This person is not available on the roster.")})
    open_cases = representative.representations.filter(status__in=OPEN_REPRESENTATION).count()
    if open_cases >= representative.capacity:
        raise ValidationFailed({"representative_id": _("This person has no free capacity.")})
    if representative.organisation_id != household.owner_id:
        # The offer already shows the parties' names to another organisation: the sharing rule applies now.
        problems = check_can_share_with(household, representative.organisation_id, ConsentPurpose.LEGAL_REFERRAL)
        if problems:
            raise ValidationFailed({"representative_id": problems["organisation_id"]})
    try:
        with transaction.atomic():
            offer = Representation.objects.create(
                household=household,
                representative=representative,
                offered_by_id=actor.user_id,
                offered_at=timezone.now(),
            )
            record(
                actor, action=Action.CREATE, touches=[_touch(household, "representation", offer.id, ["representative"])]
            )
    except IntegrityError as exc:
        raise ValidationFailed({"representative_id": _("This case is already offered to this person.")}) from exc
    return offer


def respond_to_offer(
    actor: Actor,
    *,
    offer: Representation,
    accept: bool,
    reason: str = "",
    g28_filed_on: dt.date | None = None,
    eoir28_filed_on: dt.date | None = None,
) -> Representation:
    """The representative accepts (recording G-28 / EOIR-28 dates; the case is shared with their
    organisation) or declines with a reason."""
    reason = str(reason or "").strip()
    if not accept and not reason:
        raise ValidationFailed({"reason": _("Say why you decline, so the coordinator can find someone else.")})
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Representation.objects.select_for_update().select_related("household", "representative").get(pk=offer.pk)
        )
        if locked.status != RepresentationStatus.OFFERED:
            raise ValidationFailed({"status": _("This offer was already answered.")})
        locked.status = RepresentationStatus.ACCEPTED if accept else RepresentationStatus.DECLINED
        locked.responded_at = now
        locked.decline_reason = "" if accept else reason
        locked.g28_filed_on = g28_filed_on
        locked.eoir28_filed_on = eoir28_filed_on
        locked.save()
        household = locked.household
        record(actor, action=Action.UPDATE, touches=[_touch(household, "representation", locked.id, ["status"])])
        if accept and locked.representative.organisation_id != household.owner_id:
            grant_access(
                actor,
                household=household,
                organisation_id=locked.representative.organisation_id,
                purpose="Legal representation",
                expires_at=now + dt.timedelta(days=730),
                consented_for=ConsentPurpose.LEGAL_REFERRAL,
            )
    return locked


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def add_hearing(actor: Actor, *, household: Household, data: dict[str, Any]) -> Hearing:
    errors: dict[str, str] = {}
    court = str(data.get("court") or "")
    if court not in COURTS:
        errors["court"] = _("%(value)s is not one of the allowed values.") % {"value": court[:40]}
    date = _as_date(data.get("date"))
    if date is None:
        errors["date"] = _("Write the date as YYYY-MM-DD.")
    time = data.get("time")
    if time not in (None, "") and not isinstance(time, dt.time):
        try:
            time = dt.time.fromisoformat(str(time))
        except ValueError:
            errors["time"] = _("Write the time as HH:MM.")
    for name, allowed in (("kind", HearingKind.values), ("mode", HearingMode.values)):
        if data.get(name) not in allowed:
            errors[name] = _("%(value)s is not one of the allowed values.") % {"value": str(data.get(name))[:40]}
    language = str(data.get("language") or "")
    if language and language not in LANGUAGES:
        errors["language"] = _("%(value)s is not one of the allowed values.") % {"value": language[:40]}
    interpreter = None
    if language and not data.get("interpreter_id"):
        # Matched by language: the least busy available interpreter, Indigenous languages included.
        interpreter = next(iter(interpreters_for(language)), None)
    if data.get("interpreter_id"):
        interpreter = Representative.objects.filter(
            id=data["interpreter_id"], kind=RepresentativeKind.INTERPRETER
        ).first()
        if interpreter is None:
            errors["interpreter_id"] = _("No such interpreter.")
        elif language and language not in interpreter.languages:
            errors["interpreter_id"] = _("This interpreter does not speak the language of the hearing.")
    person = None
    if data.get("person_id"):
        person = household.members.filter(id=data["person_id"]).first()
        if person is None:
            errors["person_id"] = _("This person is not a member of the household.")
    if errors or date is None:  # no date is always an error too
        raise ValidationFailed(errors)
    with transaction.atomic():
        hearing = Hearing.objects.create(
            household=household,
            person=person,
            court=court,
            date=date,
            time=time or None,
            kind=data["kind"],
            mode=data["mode"],
            language=language,
            interpreter=interpreter,
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[_touch(household, "hearing", hearing.id, ["court", "date", "kind", "mode"])],
        )
    return hearing


def save_representative(
    actor: Actor, *, organisation_id: int, data: dict[str, Any], representative: Representative | None = None
) -> Representative:
    """Org admins keep their own organisation's roster."""
    if organisation_id not in organisations_where(actor.user, Subject.POLICY, Verb.WRITE):
        raise PermissionDenied(_("Only organisation administrators can change the roster."))
    if Organisation.objects.filter(id=organisation_id, kind=OrganisationKind.AGENCY).exists():
        # An agency on the roster would receive whole households when it accepts a case.
        raise PermissionDenied(_("Agencies do not keep a roster of representatives."))
    errors: dict[str, str] = {}
    name = " ".join(str(data.get("name", representative.name if representative else "")).split())
    if not name:
        errors["name"] = _("This field is required.")
    if "kind" in data and data["kind"] not in RepresentativeKind.values:
        errors["kind"] = _("%(value)s is not one of the allowed values.") % {"value": str(data["kind"])[:40]}
    for field, allowed in (("languages", LANGUAGES), ("courts", COURTS), ("expertise", Expertise.values)):
        unknown = [v for v in data.get(field) or [] if v not in allowed]
        if unknown:
            errors[field] = _("%(value)s is not one of the allowed values.") % {"value": str(unknown[0])[:40]}
    capacity = data.get("capacity", representative.capacity if representative else 10)
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 0 <= capacity <= 500:
        errors["capacity"] = _("Use a whole number from 0 to 500.")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        target = representative or Representative(organisation_id=organisation_id, kind=data.get("kind", "attorney"))
        target.name = name
        for field in ("kind", "email", "languages", "courts", "expertise", "available"):
            if field in data and data[field] is not None:
                setattr(target, field, data[field])
        target.capacity = capacity
        target.save()
        record(
            actor,
            action=Action.UPDATE if representative else Action.CREATE,
            touches=[Touch("representative", str(target.id), organisation_id, sorted(data))],
        )
    return target


def interpreters_for(language: str) -> list[Representative]:
    """Available interpreters of a language, least busy first."""
    found = [
        r
        for r in Representative.objects.filter(kind=RepresentativeKind.INTERPRETER, available=True)
        if language in r.languages
    ]
    return sorted(found, key=lambda r: r.interpreting.filter(date__gte=dt.date.today()).count())


def _feed_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_feed(
    actor: Actor, *, representative: Representative | None = None, organisation_id: int | None = None
) -> str:
    """A new secret feed URL token, returned once. A representative gets their own; an org admin their org's."""
    if representative is not None:
        if representative.user_id != actor.user_id:
            raise PermissionDenied(_("You can only create your own calendar feed."))
    elif organisation_id is None or organisation_id not in organisations_where(actor.user, Subject.POLICY, Verb.WRITE):
        raise PermissionDenied(_("Only organisation administrators can create the organisation's feed."))
    raw = FEED_PREFIX + secrets.token_urlsafe(32)
    CalendarFeed.objects.create(
        digest=_feed_digest(raw),
        prefix=raw[:10],
        representative=representative,
        organisation_id=organisation_id if representative is None else None,
        created_by_id=actor.user_id,
    )
    return raw


def feed_for_token(raw: str) -> CalendarFeed | None:
    """The live feed of this token, while the user whose access it carries still has it; else None (404)."""
    if not raw.startswith(FEED_PREFIX):
        return None
    feed = (
        CalendarFeed.objects.filter(digest=_feed_digest(raw), revoked_at__isnull=True)
        .select_related("representative__user", "organisation", "created_by")
        .first()
    )
    if feed is None or calendar_feed.feed_reader(feed) is None:
        return None
    return feed


def revoke_feed(actor: Actor, *, feed: CalendarFeed) -> None:
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def revoke_dead_feeds(user_id: int) -> int:
    """Revoke the live feeds a user made that no longer carry any access (a membership ended, the account
    was deactivated), so their URLs stay dead even if access comes back. Returns how many."""
    feeds = CalendarFeed.objects.filter(created_by_id=user_id, revoked_at__isnull=True).select_related(
        "representative__user", "created_by"
    )
    dead = [feed.pk for feed in feeds if calendar_feed.feed_reader(feed) is None]
    return CalendarFeed.objects.filter(pk__in=dead, revoked_at__isnull=True).update(revoked_at=timezone.now())


def send_hearing_notices(today: dt.date) -> int:
    """See _send_hearing_notices. Each e-mail is written in its recipient's language and time zone
    (refugio.preferences; labels included)."""
    return _send_hearing_notices(today)


def _send_hearing_notices(today: dt.date) -> int:
    """Reminders at 30, 7 and 1 days to the representatives; an alert to the owning organisation's admins
    for any hearing 14 days out with no representative or no interpreter. E-mails carry no names."""
    sent = 0
    hearings = Hearing.objects.filter(date__gte=today, date__lte=today + dt.timedelta(days=30)).select_related(
        "household"
    )
    for hearing in hearings:
        done = set(hearing.notices.values_list("days_before", flat=True))
        accepted = list(
            Representation.objects.filter(
                household=hearing.household, status=RepresentationStatus.ACCEPTED
            ).select_related("representative__user")
        )
        for days in reminders_due(hearing.date, today, done):
            to = [
                (r.representative.user, r.representative.email or r.representative.user.email)
                for r in accepted
                if r.representative.user is not None
            ]
            if _notice(hearing, days, to, partial(emails.reminder_subject, days)):
                sent += 1
        missing = uncovered(
            hearing.date, today, bool(accepted), bool(hearing.language), hearing.interpreter_id is not None
        )
        if missing and 0 not in done:
            admins = Membership.objects.filter(organisation_id=hearing.household.owner_id, role=Role.ORG_ADMIN)
            to = [(m.user, m.user.email) for m in admins.select_related("user")]
            if _notice(hearing, 0, to, partial(emails.alert_subject, missing)):
                sent += 1
    return sent


def _notice(
    hearing: Hearing, days: int, to: Sequence[tuple[AbstractBaseUser, str]], subject: Callable[[], str]
) -> bool:
    """Record the notice once; then e-mail it to each recipient, one message each. What a message says of
    the hearing is disclosed to its recipient (legal.notice), under their own rights of today and audited
    as their READ by e-mail: a recipient who may no longer see the case gets nothing."""
    with transaction.atomic():
        _, created = NoticeSent.objects.get_or_create(
            hearing=hearing, days_before=days, defaults={"sent_at": timezone.now()}
        )
    if not created:
        return created
    addressed: set[str] = set()
    for user, address in to:
        if not address or address.lower() in addressed:
            continue
        # In the recipient's language and time zone: the disclosed labels too.
        with for_recipient(preference_of(user)):
            try:
                shown = disclose_one(Actor(user, "email"), HEARING_NOTICE, hearing.pk)
            except NotFound:
                continue
            addressed.add(address.lower())
            send_mail(subject(), emails.notice_body(shown), None, [address])
    return created
