"""`refugio manage stats_microdata --organisation NAME --out FILE.csv [--k 5] [--l 2]`: anonymised microdata of an
organisation's households for a partner, checked for k-anonymity and l-diversity, with its risk printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from refugio.accounts.models import Organisation
from refugio.audit.services import Actor
from refugio.core.errors import Conflict
from refugio.transparency.services import export_microdata


class Command(BaseCommand):
    help = "Write k-anonymous, l-diverse microdata (one row per household) of an organisation to a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="the organisation's name")
        parser.add_argument("--out", required=True, help="the CSV file to write")
        parser.add_argument("--k", type=int, default=5, help="every row shares its quasi-identifiers with k-1 others")
        parser.add_argument("--l", type=int, default=2, help="distinct values of each sensitive attribute per class")
        parser.add_argument(
            "--max-suppressed", type=float, default=0.2, help="largest share of records that may be left out"
        )

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        organisation = Organisation.objects.filter(name=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation is named {options['organisation']!r}.")
        try:
            export = export_microdata(
                Actor(user=None, channel="cli"),
                organisation_id=organisation.id,
                k=options["k"],
                diversity=options["l"],
                max_suppressed=options["max_suppressed"],
            )
        except Conflict as exc:
            raise CommandError(exc.message) from exc
        Path(options["out"]).write_text(export.csv, encoding="utf-8")
        for line in export.report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Written to {options['out']}.")
