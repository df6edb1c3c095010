from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def send_hearing_notices_today() -> int:
    """Daily: reminders at 30, 7 and 1 days, and alerts for uncovered hearings 14 days out."""
    from refugio.legal.services import send_hearing_notices

    return send_hearing_notices(timezone.localdate())
