import sys

from django.core.management.base import BaseCommand

from refugio.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit hash chain. Exit 0 when intact, 1 with the first broken event when not."

    def handle(self, *args: object, **options: object) -> None:
        checked, broken = verify_chain()
        if broken is None:
            self.stdout.write(f"audit chain intact: {checked} events")
            return
        self.stderr.write(
            f"audit chain broken at event {broken.event_id}: {broken.reason} ({checked} intact before it)"
        )
        sys.exit(1)
