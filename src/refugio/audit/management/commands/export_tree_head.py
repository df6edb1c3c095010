from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from refugio.audit.verify import export_head


class Command(BaseCommand):
    help = (
        "Print the latest signed audit tree head as JSON, for a second organisation to keep. "
        "Later, `verify_audit --against FILE` shows whether the log still extends it."
    )

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        head = export_head()
        if head is None:
            raise CommandError("no tree head yet: run `refugio manage seal_audit` first")
        self.stdout.write(json.dumps(head, indent=2, sort_keys=True))
