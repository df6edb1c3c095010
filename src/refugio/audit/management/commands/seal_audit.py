from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from refugio.audit.services import seal


class Command(BaseCommand):
    help = "Seal the audit events recorded since the last run into the Merkle tree and sign a new tree head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000, help="events per signed head")

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        result = seal(batch_size=options["batch_size"])
        self.stdout.write(
            f"sealed {result.sealed} events under {result.heads} new tree heads; "
            f"tree size {result.size}, root {result.root_hash}"
        )
