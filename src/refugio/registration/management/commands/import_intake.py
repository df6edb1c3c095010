"""refugio manage import_intake FILE --org ORG [--format kobo|csv]: all rows checked, then all stored or none."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from refugio.accounts.models import Organisation
from refugio.audit.services import Actor
from refugio.registration.intake_files import IntakeFileError, read_intake
from refugio.registration.services import ImportRejected, import_intake


class Command(BaseCommand):
    help = "Import field intake (flat CSV/XLSX, or a KoboToolbox export) for one organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="The organisation's name or id")
        parser.add_argument("--format", choices=["csv", "kobo"], default="csv", dest="file_format")
        parser.add_argument("--language", default="", help="Language of the messages (es, en, fr, pt, ht)")

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        codes = [code for code, _name in settings.LANGUAGES]
        wanted = options["language"] or os.environ.get("LANG", "")[:2]
        translation.activate(wanted if wanted in codes else "en")
        path: Path = options["file"]
        org = options["org"]
        by_id = Organisation.objects.filter(pk=int(org)).first() if org.isdigit() else None
        organisation = by_id or Organisation.objects.filter(name=org).first()
        if organisation is None:
            raise CommandError(f"no organisation named {org!r}", returncode=2)
        try:
            intake = read_intake(path.name, path.read_bytes(), options["file_format"])
            result = import_intake(Actor(user=None, channel="import"), organisation_id=organisation.id, intake=intake)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}", returncode=2) from exc
        except IntakeFileError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from exc
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(f"{path}: {exc}", returncode=2) from exc
        for column in result.ignored_columns:
            self.stdout.write(f"ignored column: {column}")
        self.stdout.write(
            f"imported {result.created} households ({result.people} people) for {organisation.name}; "
            f"{result.already_imported} already imported"
        )
