"""The rules for legal deadlines, in one place. No Django import."""

from __future__ import annotations

import datetime as dt

REMINDER_DAYS = (30, 7, 1)
UNCOVERED_ALERT_DAYS = 14


def asylum_filing_deadline(arrival: dt.date) -> dt.date:
    """One year after the last arrival in the United States (8 U.S.C. 1158(a)(2)(B)).
    An arrival on 29 February is given 28 February: the earlier date, so nobody is told too late."""
    try:
        return arrival.replace(year=arrival.year + 1)
    except ValueError:
        return dt.date(arrival.year + 1, 2, 28)


def reminders_due(hearing_date: dt.date, today: dt.date, already_sent: set[int]) -> list[int]:
    """Reminder offsets (days before the hearing) whose day has come and that were not sent yet.
    Only the nearest one is sent if several were missed, so a person gets one message, not three."""
    days_left = (hearing_date - today).days
    if days_left < 0:
        return []
    due = [d for d in REMINDER_DAYS if days_left <= d and d not in already_sent]
    return [min(due)] if due else []


def uncovered(
    hearing_date: dt.date, today: dt.date, has_representative: bool, needs_interpreter: bool, has_interpreter: bool
) -> list[str]:
    """What is missing for a hearing within the alert window: 'representative' and/or 'interpreter'."""
    if not 0 <= (hearing_date - today).days <= UNCOVERED_ALERT_DAYS:
        return []
    missing = []
    if not has_representative:
        missing.append("representative")
    if needs_interpreter and not has_interpreter:
        missing.append("interpreter")
    return missing
