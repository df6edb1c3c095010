"""iCalendar feeds of hearings. Events leave Refugio for people's own calendars, so they carry the
registration code, court and hearing type, never names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from icalendar import Calendar, Event

from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import CASE_READ_ROLES, organisation_ids_for
from refugio.legal.models import CalendarFeed, Hearing, Representation, RepresentationStatus
from refugio.people.selectors import households_for_organisations, visible_households

COURT_ZONE = ZoneInfo("America/Los_Angeles")


def feed_reader(feed: CalendarFeed) -> AbstractBaseUser | None:
    """The user whose access the feed carries, while they still have it (decided at every request, so a
    feed dies with the account, the membership or the role): a representative's feed is read as the
    representative's user, still active and still holding a case role in the representative's
    organisation; an organisation's feed as the admin who made it, still active and still its admin."""
    if feed.revoked_at is not None:
        return None
    representative = feed.representative
    if representative is not None:
        user = representative.user
        if user is None or user.pk != feed.created_by_id:
            return None
        allowed = organisation_ids_for(user, CASE_READ_ROLES)  # empty for an inactive user
        return user if representative.organisation_id in allowed else None
    user = feed.created_by
    if user is None or feed.organisation_id not in organisation_ids_for(user, roles_for(Subject.POLICY, Verb.WRITE)):
        return None
    return user


def hearings_for_feed(feed: CalendarFeed) -> QuerySet[Hearing]:
    """Recent and coming hearings of the feed's cases that its reader may still see (visible_households):
    a revoked or expired grant takes its hearings out of the feed at once."""
    reader = feed_reader(feed)
    if reader is None:
        return Hearing.objects.none()
    households: QuerySet[Any, Any]  # the ids of the feed's cases, as a subquery
    if feed.representative_id:
        households = Representation.objects.filter(
            representative_id=feed.representative_id, status=RepresentationStatus.ACCEPTED
        ).values_list("household_id", flat=True)
    elif feed.organisation_id is not None:
        households = households_for_organisations([feed.organisation_id]).values_list("id", flat=True)
    else:  # neither: feed_reader already answered None
        return Hearing.objects.none()
    since = dt.date.today() - dt.timedelta(days=30)
    return Hearing.objects.filter(
        household_id__in=households,
        household__in=visible_households(reader),
        date__gte=since,
    ).select_related("household")


def render(hearings: Iterable[Mapping[str, Any]]) -> bytes:
    """The feed of hearings already disclosed (refugio.legal.surfaces.CALENDAR_FEED projections)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Refugio//hearings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Refugio hearings")
    for hearing in hearings:
        event = Event()
        event.add("uid", f"{hearing['id']}@refugio")
        event.add("summary", f"{hearing['kind_label']} · {hearing['registration_code']}")
        event.add("location", hearing["court_label"] + (" (remote)" if hearing["mode"] == "remote" else ""))
        if hearing["time"]:
            start = dt.datetime.combine(hearing["date"], hearing["time"], tzinfo=COURT_ZONE)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(hours=1))
        else:
            event.add("dtstart", hearing["date"])
        event.add("dtstamp", dt.datetime.now(dt.UTC))
        calendar.add_component(event)
    return calendar.to_ical()
