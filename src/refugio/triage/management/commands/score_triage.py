from argparse import ArgumentParser

from django.core.management.base import BaseCommand

from refugio.triage.services import score_all


class Command(BaseCommand):
    help = (
        "Score households with their organisation's current triage policy (all, one organisation's, or only "
        "those never scored). Pages only read stored scores; the writes keep them current."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--org", type=int, help="only this organisation's households (its id)")
        parser.add_argument("--unscored", action="store_true", help="only households that have no score yet")

    def handle(self, *args: object, **options: object) -> None:
        scored = score_all(options["org"], only_unscored=bool(options["unscored"]))  # type: ignore[arg-type]
        self.stdout.write(f"scored {scored} households")
