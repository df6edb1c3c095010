from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from refugio.linkage.engine import REFERENCE_MODEL, train_model
from refugio.synth.linkage import deduplication_set


class Command(BaseCommand):
    help = (
        "Train the reference linkage model (tracing broker, duplicate search) without labels (EM) on a synthetic "
        "register with realistic names and recording errors, and write it where they read it (no personal data)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument("--out", default=str(REFERENCE_MODEL))

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ANN401
        reference = deduplication_set(options["people"], seed=options["seed"])
        model = train_model(reference.left)
        Path(options["out"]).write_text(json.dumps(model, indent=1, sort_keys=True) + "\n")
        self.stdout.write(f"trained on {len(reference.left)} synthetic records; wrote {options['out']}")
