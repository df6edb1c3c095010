"""refugio manage hsds_import FILE [--organisation NAME]: import the service directory from Open Referral HSDS
(JSON, or the CSV data package as a zip), all rows or none; exit 2 with every row's problem."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from refugio.accounts.models import Organisation
from refugio.audit.services import Actor
from refugio.core.errors import ValidationFailed
from refugio.referrals.services import import_hsds


class Command(BaseCommand):
    help = "Import services into the directory from an HSDS 3.0 JSON file or CSV data package (zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--organisation",
            default="",
            help="Every service goes to this organisation (name or id); without it, to the HSDS organization's name",
        )
        parser.add_argument("--language", default="", help="Language of the messages (es, en, fr, pt, ht)")

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        codes = [code for code, _name in settings.LANGUAGES]
        wanted = options["language"] or os.environ.get("LANG", "")[:2]
        translation.activate(wanted if wanted in codes else "en")
        name: str = options["organisation"]
        organisation = None
        if name:
            by_id = Organisation.objects.filter(pk=int(name)).first() if name.isdigit() else None
            organisation = by_id or Organisation.objects.filter(name=name).first()
            if organisation is None:
                raise CommandError(f"no organisation named {name!r}", returncode=2)
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}", returncode=2) from exc
        try:
            result = import_hsds(Actor(user=None, channel="import"), content=content, organisation=organisation)
        except ValidationFailed as exc:
            lines = [f"{path.name}: {exc.message}", *(f"  {key}: {message}" for key, message in exc.fields.items())]
            raise CommandError("\n".join(lines), returncode=2) from exc
        self.stdout.write(f"{result.created} services created, {result.updated} updated")
