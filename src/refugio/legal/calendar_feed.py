"""iCalendar feeds of hearings. Events leave Refugio for people's own calendars, so they carry the
registration code, court and hearing type, never names."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from icalendar import Calendar, Event

from refugio.legal.models import CalendarFeed, Hearing, Representation, RepresentationStatus
from refugio.people.models import Household, SharingGrant
from refugio.people.vocabulary import COURTS

COURT_ZONE = ZoneInfo("America/Los_Angeles")


def hearings_for_feed(feed: CalendarFeed) -> QuerySet[Hearing]:
    if feed.representative_id:
        households = Representation.objects.filter(
            representative_id=feed.representative_id, status=RepresentationStatus.ACCEPTED
        ).values("household_id")
    else:
        shared = SharingGrant.objects.filter(SharingGrant.live_q(), organisation_id=feed.organisation_id)
        households = Household.objects.filter(
            Q(owner_id=feed.organisation_id) | Q(id__in=shared.values("household_id"))
        ).values("id")
    since = dt.date.today() - dt.timedelta(days=30)
    return Hearing.objects.filter(household_id__in=households, date__gte=since).select_related("household")


def render(feed: CalendarFeed) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Refugio//hearings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Refugio hearings")
    for hearing in hearings_for_feed(feed):
        event = Event()
        event.add("uid", f"{hearing.id}@refugio")
        event.add("summary", f"{hearing.get_kind_display()} · {hearing.household.display_code}")
        event.add(
            "location", COURTS.get(hearing.court, hearing.court) + (" (remote)" if hearing.mode == "remote" else "")
        )
        if hearing.time:
            start = dt.datetime.combine(hearing.date, hearing.time, tzinfo=COURT_ZONE)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(hours=1))
        else:
            event.add("dtstart", hearing.date)
        event.add("dtstamp", dt.datetime.now(dt.UTC))
        calendar.add_component(event)
    return calendar.to_ical()
