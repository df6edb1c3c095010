from django.core.management.base import BaseCommand

from refugio.people.services import reencrypt_all


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the newest key (the first in the keyring)."

    def handle(self, *args: object, **options: object) -> None:
        count = reencrypt_all()
        self.stdout.write(f"re-encrypted {count} records under the newest key")
