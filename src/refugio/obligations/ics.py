"""The .ics export of obligations already disclosed (refugio.obligations.surfaces.ICS_EXPORT projections).
No Django import. Events leave Refugio for people's own calendars: each carries the kind of obligation and
the household's registration code, never a name; the reader's words come in already translated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from icalendar import Alarm, Calendar, Event

ALARM_BEFORE = dt.timedelta(days=1)  # a reminder the day before


def render(obligations: Iterable[Mapping[str, Any]], *, name: str, reminder: str) -> bytes:
    """One all-day VEVENT per obligation with a due date, each with a display VALARM the day before."""
    calendar = Calendar()
    calendar.add("prodid", "-//Refugio//obligations//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.UTC)
    for item in obligations:
        due = item.get("due")
        if not isinstance(due, dt.date):
            continue
        event = Event()
        event.add("uid", f"obligation-{item['id']}@refugio")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))
        event.add("summary", f"{item['label']} · {item['registration_code']}")
        event.add("description", f"{item['status_label']} · {item['source']}")
        event.add("categories", [str(item["kind"])])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{reminder}: {item['label']} · {item['registration_code']}")
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
