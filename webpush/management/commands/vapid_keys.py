from django.core.management.base import BaseCommand

from webpush.services import vapid_key_pair


class Command(BaseCommand):
    help = (
        "Generate a VAPID key pair for Web Push and print the environment lines to "
        "add to the portal's configuration (.env or the service's environment)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--subject",
            default="mailto:admin@example.org",
            help="Contact of the operator sent to the push services (mailto: or https:).",
        )

    def handle(self, *args, subject, **options):
        public, private = vapid_key_pair()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"VAPID_SUBJECT={subject}")
        self.stderr.write(
            "Keep VAPID_PRIVATE_KEY secret. Changing the keys later stops every "
            "existing subscription: users must turn notifications on again."
        )
