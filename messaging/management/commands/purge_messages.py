"""Delete message threads older than their school's retention setting."""

from django.core.management.base import BaseCommand

from messaging.services import purge_expired


class Command(BaseCommand):
    help = (
        "Delete message threads whose last message is older than the school's retention "
        "(threads with an unhandled report are kept)."
    )

    def handle(self, *args, **options):
        counts = purge_expired()
        self.stdout.write(
            f"Deleted {counts['threads']} threads, {counts['messages']} messages, "
            f"{counts['attachments']} attachments."
        )
