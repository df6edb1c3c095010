"""refugio manage hsds_export [--out FILE] [--format json|zip] [--organisation NAME]: the service directory as
Open Referral HSDS 3.0 (not personal data)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from refugio.accounts.models import Organisation
from refugio.referrals import hsds, selectors
from refugio.referrals.services import export_tables


class Command(BaseCommand):
    help = "Export the service directory as HSDS 3.0 JSON (default) or the CSV data package (zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=None, help="File to write (default: standard output)")
        parser.add_argument("--format", choices=["json", "zip"], default="json", dest="file_format")
        parser.add_argument("--organisation", default="", help="Only this organisation's services (name or id)")

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        name: str = options["organisation"]
        organisation_id = None
        if name:
            by_id = Organisation.objects.filter(pk=int(name)).first() if name.isdigit() else None
            organisation = by_id or Organisation.objects.filter(name=name).first()
            if organisation is None:
                raise CommandError(f"no organisation named {name!r}", returncode=2)
            organisation_id = organisation.id
        tables = export_tables(selectors.all_services(organisation_id))
        content = hsds.to_datapackage(tables) if options["file_format"] == "zip" else hsds.to_json(tables)
        out: Path | None = options["out"]
        if out is None:
            if options["file_format"] == "zip":
                raise CommandError("a zip needs --out FILE", returncode=2)
            sys.stdout.buffer.write(content)
            return
        out.write_bytes(content)
        self.stdout.write(f"{len(tables['services'])} services written to {out}")
