import io

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from library import marc
from library.models import ImportJob, ReadingListItem, Record, RecordChange, TopicEntry
from tests.factories.library import reading_list_create, record_create, topic_create
from tests.library.conftest import PYMARC

pytestmark = pytest.mark.django_db


def test_catalogue_is_public(client):
    record = record_create("Żółw i zając", author="Brzechwa, Jan", subjects=["Zwierzęta"])
    response = client.get(reverse("library:search"), {"q": "zolw"})
    assert response.status_code == 200
    assert "Żółw i zając" in response.text
    page = client.get(record.get_absolute_url())
    assert page.status_code == 200
    assert '"@type": "Book"' in page.text
    assert "BRZECHWA" in page.text  # citation
    assert "Edit MARC" not in page.text and "Edytuj MARC" not in page.text


def test_did_you_mean_only_when_nothing_found(client):
    record_create("Brzechwa dzieciom", author="Brzechwa, Jan")
    found = client.get(reverse("library:search"), {"q": "brzechwa"})
    assert found.context["total"] == 1 and "suggestion" not in found.context
    missed = client.get(reverse("library:search"), {"q": "brzehwa"})
    assert missed.context["suggestion"] == "brzechwa"


def test_results_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    # 16: the catalogue's own queries, one for each facet circulation adds (2), the
    # holdings of the page's records (one more when some copy is on loan) and the
    # language of the subject facets (1: their first records' MARC).
    for i in range(3):
        record_create(f"Zwierzęta świata {i}", subjects=["Zwierzęta"])
    with django_assert_max_num_queries(16):
        client.get(reverse("library:search"), {"q": "zwierzeta"})
    for i in range(30):
        record_create(
            f"Zwierzęta lasu {i}", subjects=["Zwierzęta", f"Las {i}"], host=[("t", "Host")]
        )
    with django_assert_max_num_queries(16):
        response = client.get(reverse("library:search"), {"q": "zwierzeta"})
    assert response.context["total"] == 33


@pytest.mark.parametrize("fmt", ["mrc", "xml", "json", "ris", "bib"])
def test_exports(client, fmt):
    record = record_create("Pan Tadeusz", author="Mickiewicz, Adam", isbn="83-04-04663-6")
    one = client.get(reverse("library:record_export", args=[record.pk, fmt]))
    assert one.status_code == 200
    many = client.get(reverse("library:results_export", args=[fmt]), {"q": "tadeusz"})
    assert many.status_code == 200
    if fmt == "ris":
        assert "TI  - Pan Tadeusz" in one.content.decode()
    if fmt == "bib":
        assert "mickiewicz" in one.content.decode()


def test_export_round_trip_keeps_the_marc():
    with (PYMARC / "test.dat").open("rb") as fh:
        from library.importing import import_stream

        import_stream(fh, "marc")
    records = list(Record.objects.order_by("pk"))
    for fmt in ("mrc", "xml", "json"):
        from library.exporting import export
        from library.importing import import_stream

        data = export(records, fmt)
        summary = import_stream(
            io.BytesIO(data), {"mrc": "marc", "xml": "marcxml", "json": "json"}[fmt]
        )
        assert summary.counts["imported"] == 0
        assert summary.counts["updated"] == len(records)
        assert not RecordChange.objects.exists(), f"{fmt}: re-import changed the MARC"
        for original, again in zip(records, Record.objects.order_by("pk"), strict=True):
            assert original.marc == again.marc


def test_librarian_edits_marc_with_history(world, login):
    record = record_create("Stary tytuł", school=world.a.school)
    client = login(world.a.librarian)
    url = reverse("library:record_edit", args=[record.pk])
    text = client.get(url).context["form"].initial["text"]
    bad = client.post(url, {"text": text.replace("245 10", "245 1")})
    assert bad.status_code == 200 and bad.context["form"].errors
    response = client.post(url, {"text": text.replace("Stary tytuł", "Nowy tytuł")})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.title == "Nowy tytuł"
    change = record.changes.get(action="edited")
    assert change.actor == world.a.librarian
    assert change.before["fields"] != change.after["fields"]
    assert client.get(reverse("library:search"), {"q": "nowy"}).context["total"] == 1
    history = client.get(reverse("library:record_history", args=[record.pk]))
    assert "Nowy tytuł" in history.text


def test_other_school_librarian_and_others_cannot_edit(world, login, client):
    record = record_create("Tytuł", school=world.a.school)
    url = reverse("library:record_edit", args=[record.pk])
    for user in (world.b.librarian, world.a.teacher, world.a.pupil):
        login(user)
        assert (
            client.post(url, {"text": "LDR 00000nam a2200000 a 4500\n245 10 $aX"}).status_code
            == 404
        )
    client.logout()
    assert client.get(url).status_code == 302  # to sign-in
    record.refresh_from_db()
    assert record.title == "Tytuł"


def test_new_record_from_the_editor(world, login):
    client = login(world.a.librarian)
    response = client.post(
        reverse("library:record_new"),
        {
            "text": "LDR 00000nam a2200000 a 4500\n245 10 $aMoja książka",
            "school": world.a.school.pk,
        },
    )
    assert response.status_code == 302
    assert Record.objects.get().school == world.a.school
    foreign = client.post(
        reverse("library:record_new"),
        {"text": "LDR 00000nam a2200000 a 4500\n245 10 $aObca", "school": world.b.school.pk},
    )
    assert foreign.status_code == 200  # not a choice for this librarian
    assert Record.objects.count() == 1


def test_upload_runs_as_background_task_with_report(world, login):
    client = login(world.a.librarian)
    data = (PYMARC / "bad_records.mrc").read_bytes()
    response = client.post(
        reverse("library:import"),
        {"school": world.a.school.pk, "file": SimpleUploadedFile("bad.mrc", data)},
    )
    job = ImportJob.objects.get()
    assert response.url == reverse("library:import_detail", args=[job.pk])
    assert job.status == "done"
    assert job.rejected > 0 and job.imported + job.warned > 0
    page = client.get(response.url)
    assert page.status_code == 200
    assert list(page.context["page"].object_list)[0].position == 1
    other = login(world.b.librarian)
    assert other.get(response.url).status_code == 404


def test_upload_refused_for_non_librarians_and_foreign_school(world, login):
    client = login(world.a.teacher)
    assert client.get(reverse("library:import")).status_code == 404
    client = login(world.a.librarian)
    response = client.post(
        reverse("library:import"),
        {"school": world.b.school.pk, "file": SimpleUploadedFile("x.mrc", b"x")},
    )
    assert response.status_code == 200 and not ImportJob.objects.exists()


def test_reading_list_pages_pdf_and_rss(world, login, client):
    record = record_create("Mały Książę", school=world.a.school)
    reading_list = reading_list_create(world.a.school, title="Lektury 4")
    hidden = reading_list_create(world.a.school, title="Szkic", published=False)
    librarian = login(world.a.librarian)
    librarian.post(
        reverse("library:record_to_list", args=[record.pk]),
        {"target": reading_list.pk, "note": "obowiązkowa"},
    )
    assert ReadingListItem.objects.filter(reading_list=reading_list, record=record).exists()
    # foreign list id -> 404
    foreign = reading_list_create(world.b.school)
    other = librarian.post(
        reverse("library:record_to_list", args=[record.pk]), {"target": foreign.pk}
    )
    assert other.status_code == 404
    client.logout()
    page = client.get(reading_list.get_absolute_url())
    assert "Mały Książę" in page.text and "obowiązkowa" in page.text
    assert client.get(hidden.get_absolute_url()).status_code == 404
    pdf = client.get(reverse("library:list_pdf", args=[reading_list.slug]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    rss = client.get(reverse("library:new_rss"))
    assert rss.status_code == 200 and "Mały Książę" in rss.content.decode()


def test_new_acquisitions_list_is_built_from_dates(world, login):
    record_create("Nowa pozycja", school=world.a.school)
    client = login(world.a.librarian)
    import datetime

    from django.utils import timezone

    # The librarian's today is Warsaw's: at 23:30 UTC on 31 December it is already 1 January.
    today = timezone.localdate()
    response = client.post(
        reverse("library:list_new"),
        {
            "school": world.a.school.pk,
            "title": "Nowości",
            "kind": "new",
            "date_from": today - datetime.timedelta(days=7),
            "date_to": today,
            "published": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Nowa pozycja" in page.text
    no_dates = client.post(
        reverse("library:list_new"),
        {"school": world.a.school.pk, "title": "Bez dat", "kind": "new"},
    )
    assert no_dates.status_code == 200 and no_dates.context["form"].non_field_errors()


def test_kartoteka(world, login, client):
    host = record_create("Świerszczyk 2023", school=world.a.school, control="h1")
    article = record_create(
        "Jak dbać o żółwia",
        school=world.a.school,
        host=[("t", "Świerszczyk"), ("g", "nr 4, s. 12"), ("w", "h1")],
    )
    article.refresh_from_db()
    assert article.host == host
    topic = topic_create(world.a.school, name="Zwierzęta w domu")
    login(world.a.librarian).post(
        reverse("library:record_to_topic", args=[article.pk]), {"target": topic.pk}
    )
    assert TopicEntry.objects.filter(topic=topic, record=article).exists()
    client.logout()
    page = client.get(topic.get_absolute_url())
    assert "Jak dbać o żółwia" in page.text and "nr 4, s. 12" in page.text
    assert "Jak dbać o żółwia" in client.get(host.get_absolute_url()).text  # linked parts


def test_subject_browse_with_references(client):
    record_create("A", subjects=["Zwierzęta"])
    record_create("B", subjects=["Zwierzęta", "Ssaki"])
    from library.demo import authority_record
    from library.importing import import_stream

    import_stream(
        io.BytesIO(marc.to_binary([authority_record(1, "Zwierzęta", ["Fauna"], ["Ssaki"])])), "marc"
    )
    page = client.get(reverse("library:subjects"), {"letter": "Z"})
    row = next(r for r in page.context["rows"] if r["value"] == "Zwierzęta")
    assert row["records"] == 2 and row["see_also"] == ["Ssaki"] and row["variants"] == ["Fauna"]
    see = client.get(reverse("library:subjects"), {"letter": "F"})
    assert "Fauna" in see.text and "Zwierzęta" in see.text


def test_nav_and_panel(world, login, client):
    assert (
        "Katalog biblioteki" in client.get(reverse("library:search")).text
        or "Library catalogue" in client.get(reverse("library:search")).text
    )
    dashboard = login(world.a.librarian).get(reverse("portal:dashboard"))
    assert "panel-library" in dashboard.text
    teacher = login(world.a.teacher).get(reverse("portal:dashboard"))
    assert "panel-library" not in teacher.text


def test_schema_org_cannot_be_broken_out_of(client):
    record = record_create("Tytuł</script><script>alert(1)</script>")
    page = client.get(record.get_absolute_url()).text
    assert "</script><script>alert(1)" not in page
    assert "\\u003c/script\\u003e" in page


def test_returning_to_a_result_list_does_not_count_again(client):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    for i in range(3):
        record_create(f"Zwierzęta świata {i}", subjects=["Zwierzęta"])
    runs = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("library:search"), {"q": "zwierzeta"})
        assert response.context["total"] == 3
        runs.append(len(queries))
    assert runs[1] < runs[0]
    record_create("Zwierzęta Afryki", subjects=["Zwierzęta"])
    assert client.get(reverse("library:search"), {"q": "zwierzeta"}).context["total"] == 4
