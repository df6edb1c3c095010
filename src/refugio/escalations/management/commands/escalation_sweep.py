from django.core.management.base import BaseCommand

from refugio.escalations.services import escalate_overdue


class Command(BaseCommand):
    help = "Move every overdue escalation up a tier and notify (for cron; the task worker does the same)."

    def handle(self, *args: object, **options: object) -> None:
        moved = escalate_overdue()
        self.stdout.write(f"escalated {len(moved)} overdue escalations")
