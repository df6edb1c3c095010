from django.core.management.base import BaseCommand, CommandError, CommandParser

from refugio.audit.services import Actor
from refugio.key_rotation import Rotated, RotationFailed, rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field and file of every model under the newest key (the first in the "
        "keyring). Safe to run again: values already under the newest key are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: object, **options: object) -> None:
        batch_size = int(options["batch_size"])  # type: ignore[call-overload]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            results = rotate_keys(Actor(None, "cli"), batch_size=batch_size, progress=self._report)
        except RotationFailed as exc:
            raise CommandError(f"{exc}. Batches before it are rotated; nothing of this batch was written.") from exc
        rows = sum(r.rewritten for r in results)
        files = sum(r.files_rewritten for r in results)
        self.stdout.write(f"re-encrypted {rows} records and {files} files under the newest key")

    def _report(self, result: Rotated) -> None:
        line = f"{result.label}: {result.rewritten} of {result.rows} records re-encrypted"
        if result.files:
            line += f", {result.files_rewritten} of {result.files} files"
        self.stdout.write(line)
