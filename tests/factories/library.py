"""Factories for library tests: records go through the real importer so that
their identifiers and search rows exist exactly as in production."""

import io

from library import marc
from library.importing import import_stream
from library.models import ReadingList, Record, Topic
from tests.library.conftest import make_marc


def record_create(title="Książka", school=None, **kwargs) -> Record:
    summary = import_stream(
        io.BytesIO(marc.to_binary([make_marc(title, **kwargs)])), "marc", school=school
    )
    return Record.objects.get(pk=summary.outcomes[0].record_id)


def reading_list_create(school, **kwargs) -> ReadingList:
    defaults = {
        "title": "Lista",
        "slug": f"lista-{ReadingList.objects.count() + 1}",
        "published": True,
    }
    defaults.update(kwargs)
    return ReadingList.objects.create(school=school, **defaults)


def topic_create(school, **kwargs) -> Topic:
    defaults = {"name": "Temat", "slug": f"temat-{Topic.objects.count() + 1}"}
    defaults.update(kwargs)
    return Topic.objects.create(school=school, **defaults)
