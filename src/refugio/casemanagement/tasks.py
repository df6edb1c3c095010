"""The daily missed check-in sweep runs as a background task that books its own next run."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from refugio.core.tasks import book_periodic, tomorrow_at

SWEEP_HOUR = 6  # local time: outreach is waiting on the caseworker's list in the morning


@task()
def open_outreach_daily() -> int:
    """Mark check-ins missed past their grace day and open outreach for each (once); then tomorrow again."""
    from refugio.casemanagement.services import mark_missed_check_ins

    opened = mark_missed_check_ins(timezone.localdate())
    schedule_daily_sweep()
    return opened


def schedule_daily_sweep() -> None:
    """Book the next morning's run, unless one is already booked. A no-op where tasks cannot be deferred."""
    book_periodic(open_outreach_daily, at=tomorrow_at(SWEEP_HOUR))
