from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from portal.terminal import infomat_token


class Command(BaseCommand):
    help = (
        "Print the links that turn a browser into an infomat (a public terminal for the "
        "whole portal) and back. Open the first once on the terminal (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help='the name of the terminal, e.g. "Urząd gminy – hol"')
        parser.add_argument(
            "--base-url", default="", help="the portal's address, e.g. https://portal.gmina.pl"
        )

    def handle(self, *args, name, base_url, **options):
        name = name.strip()
        if not name:
            raise CommandError("Give the terminal a name.")
        token = infomat_token(name)
        base = base_url.rstrip("/")
        on = reverse("portal:infomat_on", args=[token])
        off = reverse("portal:infomat_off", args=[token])
        self.stdout.write(f"Turn on:  {base}{on}")
        self.stdout.write(f"Turn off: {base}{off}")
