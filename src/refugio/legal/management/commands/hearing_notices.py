import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from refugio.legal.services import send_hearing_notices


class Command(BaseCommand):
    help = "Send due hearing reminders (30, 7, 1 days) and uncovered-hearing alerts (14 days). Run daily."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        today: dt.date = options["today"] or timezone.localdate()
        sent = send_hearing_notices(today)
        self.stdout.write(f"sent {sent} hearing notices")
