"""Demo data of the intranet for `seed_demo`: a circular from demo-officer to
every school, a request with a form (class sizes for the next year) that the
first school (demo-schooladmin) has answered, and a noticeboard post.
Idempotent: each item is made only when its demo title is not there yet."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile

from .models import Circular, DataRequest, Post, RequestField

CIRCULAR_SUBJECT = "Harmonogram rekrutacji na rok szkolny – przypomnienie"
REQUEST_TITLE = "Liczebność oddziałów w przyszłym roku szkolnym"
POST_TITLE = "Szkolenie dla nauczycieli: bezpieczeństwo w sieci"


def seed_intranet(ctx) -> None:
    from . import services

    officer = ctx.accounts.get("demo-officer")
    if officer is None or not ctx.schools:
        return
    if not Circular.objects.filter(subject=CIRCULAR_SUBJECT).exists():
        services.circular_send(
            author=officer,
            subject=CIRCULAR_SUBJECT,
            body=(
                "Szanowni Państwo,\n\nprzypominamy o terminach rekrutacji do klas "
                "pierwszych. Szczegóły: https://www.gov.pl/web/edukacja\n\n"
                "Wydział Edukacji"
            ),
            files=[ContentFile(b"Harmonogram rekrutacji\n", name="harmonogram.txt")],
        )
        ctx.log("intranet: circular")
    if not DataRequest.objects.filter(title=REQUEST_TITLE).exists():
        data_request = services.request_create(
            author=officer,
            title=REQUEST_TITLE,
            description="Prosimy o podanie planowanej liczby oddziałów i uczniów.",
            kind=DataRequest.Kind.FORM,
            deadline=ctx.today + datetime.timedelta(days=14),
            fields=[
                ("Liczba oddziałów", RequestField.Kind.NUMBER, True),
                ("Liczba uczniów", RequestField.Kind.NUMBER, True),
                ("Czy potrzebna dodatkowa sala?", RequestField.Kind.YES_NO, True),
                ("Uwagi", RequestField.Kind.TEXT, False),
            ],
        )
        admin = ctx.accounts.get("demo-schooladmin")
        if admin is not None:
            fields = list(data_request.fields.all())
            services.answer_save(
                data_request=data_request,
                school_id=ctx.schools[0].pk,
                user=admin,
                values={
                    str(fields[0].pk): "8",
                    str(fields[1].pk): "186",
                    str(fields[2].pk): False,
                    str(fields[3].pk): "",
                },
            )
        ctx.log("intranet: request with a form, one school answered")
    if not Post.objects.filter(title=POST_TITLE).exists():
        services.post_create(
            author=officer,
            title=POST_TITLE,
            body=(
                "Zapraszamy nauczycieli wszystkich szkół gminy na szkolenie "
                "w sali konferencyjnej urzędu. Zapisy w sekretariatach szkół."
            ),
        )
        ctx.log("intranet: noticeboard post")
