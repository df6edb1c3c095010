from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from refugio.accounts.models import Organisation
from refugio.people.services import find_probable_duplicates, find_probable_duplicates_everywhere


class Command(BaseCommand):
    help = (
        "Search one organisation's register (or every one) for probable duplicates with the linkage engine "
        "(Splink); new pairs appear on the duplicates page for a caseworker to decide."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="its name; all organisations when left out")

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        if options["organisation"]:
            organisation = Organisation.objects.filter(name=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"no organisation named {options['organisation']!r}")
            found = find_probable_duplicates(organisation_id=organisation.id)
        else:
            found = find_probable_duplicates_everywhere()
        self.stdout.write(f"{found} new probable duplicate pairs to review")
