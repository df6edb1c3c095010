from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from refugio.audit.selectors import consistency_proof_document, inclusion_proof_document


class Command(BaseCommand):
    help = (
        "Print a proof a partner checks offline with `refugio check-audit-proof` and the log's public key: "
        "--event ID (that event is in the latest signed tree) or --since HEAD.json (the latest signed tree "
        "extends a head the partner kept)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--event", type=int, metavar="ID", help="an audit event's id")
        group.add_argument("--since", metavar="FILE", help="a head printed earlier by export_tree_head")
        parser.add_argument(
            "--with-event",
            action="store_true",
            help="include the event itself (a staff name, an IP address) so the partner can hash it",
        )

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        try:
            if options["event"] is not None:
                document = inclusion_proof_document(options["event"], with_event=options["with_event"])
            else:
                document = consistency_proof_document(json.loads(Path(options["since"]).read_text()))
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(document, indent=2, sort_keys=True))
