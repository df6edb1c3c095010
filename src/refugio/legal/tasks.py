"""The daily hearing notices run as a background task that books its own next run."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from refugio.core.tasks import book_periodic, tomorrow_at

NOTICE_HOUR = 7  # local time: reminders arrive in the morning


@task()
def send_hearing_notices_daily() -> int:
    """Reminders at 30, 7 and 1 days and alerts for uncovered hearings 14 days out; then tomorrow again.
    Sending twice is harmless: each notice is recorded once (NoticeSent)."""
    from refugio.legal.services import send_hearing_notices

    sent = send_hearing_notices(timezone.localdate())
    schedule_daily_notices()
    return sent


def schedule_daily_notices() -> None:
    """Book the next morning's run, unless one is already booked."""
    book_periodic(send_hearing_notices_daily, at=tomorrow_at(NOTICE_HOUR))
