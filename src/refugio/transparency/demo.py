"""The demo's published release of the public statistics: the last eleven full weeks and this one so far (the
demo's households registered today)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from refugio.audit.services import Actor
from refugio.transparency.measures import Period
from refugio.transparency.models import Release
from refugio.transparency.services import last_full_week, publish


def publish_demo_release() -> Release:
    today = timezone.localdate()
    period = Period(last_full_week(today).start - dt.timedelta(weeks=10), today)
    return publish(Actor(user=None, channel="cli"), period=period)
