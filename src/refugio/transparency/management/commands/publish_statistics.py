"""`refugio stats publish [--period 2026-W48 | --from D --to D]`: cut and store a release of the public statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from refugio.audit.services import Actor
from refugio.transparency.measures import Period, parse_week
from refugio.transparency.services import last_full_week, publish


class Command(BaseCommand):
    help = "Publish a release of the public statistics for a period (default: the last full ISO week)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="an ISO week, e.g. 2026-W48")
        parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        period = _period(options.get("period"), options.get("start"), options.get("end"))
        release = publish(Actor(user=None, channel="cli"), period=period)
        self.stdout.write(f"Published release {release.pk} for {release.period_label} (k={release.k}).")


def _period(week: str | None, start: str | None, end: str | None) -> Period:
    try:
        if week:
            if start or end:
                raise CommandError("Give either --period or --from/--to.")
            return parse_week(week)
        if start or end:
            if not (start and end):
                raise CommandError("--from and --to go together.")
            period = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
            if period.end < period.start:
                raise CommandError("--to is before --from.")
            return period
    except ValueError as exc:
        raise CommandError(f"Not a period: {exc}") from exc
    return last_full_week(timezone.localdate())
