"""Every page type of the library and its circulation has a title of its own (WCAG
2.4.2): the catalogue, its results, the advanced search and the kiosk are no longer
all "Katalog biblioteki"; forms do not reuse their list's title. And each page's
headings start with its h1 and skip no level (1.3.1)."""

import re
from html import unescape

import pytest
from bs4 import BeautifulSoup

from django.test import Client
from django.urls import reverse

from library.circulation.models import Stocktake
from library.models import ImportJob, ReadingListItem, TopicEntry
from tests.factories.circulation import copy_create
from tests.factories.library import reading_list_create, record_create, topic_create

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def title_of(response) -> str:
    assert response.status_code == 200, response
    return " ".join(unescape(TITLE.search(response.content.decode()).group(1)).split())


def heading_problems(response) -> list[str]:
    """Skipped heading levels in <main>, or a heading before its h1."""
    main = BeautifulSoup(response.content.decode(), "html.parser").find("main")
    levels = [int(h.name[1]) for h in main.find_all(re.compile(r"^h[1-6]$"))]
    problems = []
    if levels and levels[0] != 1:
        problems.append(f"first heading is h{levels[0]}")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"h{before} → h{after}")
    return problems


@pytest.fixture
def catalogue(world):
    school = world.a.school
    cat = record_create("The Siamese cat", lang="eng", school=school, lcsh=["Siamese cat"])
    kot = record_create("Kot w butach", school=school, subjects=["Koty"])
    for i in range(21):  # two pages of results for "kot"
        record_create(f"Kot numer {i}", subjects=["Koty"])
    reading_list = reading_list_create(school, title="Lektury klasy 4")
    ReadingListItem.objects.create(reading_list=reading_list, record=cat)
    topic = topic_create(school, name="Zwierzęta w domu")
    TopicEntry.objects.create(topic=topic, record=kot)
    job = ImportJob.objects.create(
        school=school, user=world.a.librarian, file_name="nowosci.mrc", data=b"", fmt="marc"
    )
    take = Stocktake.objects.create(school=school, name="Skontrum 2026")
    copy = copy_create(kot, school)
    return {"cat": cat, "kot": kot, "list": reading_list, "topic": topic, "job": job}, take, copy


def test_each_library_page_has_a_title_of_its_own(world, login, catalogue):
    objects, take, copy = catalogue
    school = world.a.school
    cat, kot = objects["cat"], objects["kot"]
    search = reverse("library:search")
    public = [
        search,
        search + "?q=kot",
        search + "?q=kot&page=2",
        search + "?q=siamese",
        search + "?author=Mattern",
        search + "?year_from=abc",  # the advanced search, refused: no results
        cat.get_absolute_url(),
        kot.get_absolute_url(),
        reverse("library:subjects"),
        reverse("library:subjects") + "?letter=K",
        reverse("library:topics"),
        objects["topic"].get_absolute_url(),
        reverse("library:lists"),
        objects["list"].get_absolute_url(),
    ]
    librarian = [
        reverse("library:record_new"),
        reverse("library:record_form_new"),
        reverse("library:record_edit", args=[kot.pk]),
        reverse("library:record_form_edit", args=[kot.pk]),
        reverse("library:record_history", args=[kot.pk]),
        reverse("library:topic_new"),
        reverse("library:list_new"),
        reverse("library:import"),
        reverse("library:import_detail", args=[objects["job"].pk]),
        reverse("circulation:desk", args=[school.pk]),
        reverse("circulation:overdue", args=[school.pk]),
        reverse("circulation:readers", args=[school.pk]),
        reverse("circulation:readers", args=[school.pk]) + "?q=a",
        reverse("circulation:class_cards", args=[school.pk]),
        reverse("circulation:rules", args=[school.pk]),
        reverse("circulation:stocktakes", args=[school.pk]),
        reverse("circulation:stocktake", args=[take.pk]),
        reverse("circulation:copy", args=[copy.pk]),
        reverse("circulation:account"),
    ]
    titles: dict[str, str] = {}
    headings: dict[str, list[str]] = {}
    anonymous, staff = Client(), login(world.a.librarian)
    for client, urls in ((anonymous, public), (staff, librarian)):
        for url in urls:
            response = client.get(url)
            titles[url] = title_of(response)
            if problems := heading_problems(response):
                headings[url] = problems
    kiosk = Client()
    titles["kiosk"] = title_of(kiosk.get(reverse("circulation:kiosk")))
    headings_kiosk = heading_problems(kiosk.get(reverse("circulation:kiosk")))

    seen: dict[str, list[str]] = {}
    for url, title in titles.items():
        seen.setdefault(title, []).append(url)
    assert {t: urls for t, urls in seen.items() if len(urls) > 1} == {}
    assert not headings and not headings_kiosk, headings

    assert titles[search + "?q=kot"].startswith("Wyniki: kot — Katalog biblioteki")
    assert titles[search + "?q=kot&page=2"].startswith("Wyniki: kot, strona 2 — ")
    # the fields came back with an error: the title says so first (base.html)
    assert titles[search + "?year_from=abc"].startswith("Błąd: Wyszukiwanie zaawansowane — Katalog")
    assert titles["kiosk"].startswith("Kiosk — Katalog biblioteki")
    assert titles[cat.get_absolute_url()].startswith("The Siamese cat — Katalog biblioteki")
    assert titles[search].startswith("Katalog biblioteki")
    edit = titles[reverse("library:record_form_edit", args=[kot.pk])]
    assert "Kot w butach" in edit and edit != titles[kot.get_absolute_url()]


def test_results_come_before_the_filters_with_a_skip_link(client):
    record_create("Kot w butach", subjects=["Koty"])
    page = BeautifulSoup(client.get(reverse("library:search"), {"q": "kot"}).text, "html.parser")
    main = page.find("main")
    results, facets = main.find(id="results-h"), main.find(id="facets-h")
    order = [h.get("id") for h in main.find_all("h2")]
    assert order.index("results-h") < order.index("facets-h")
    skip = results.find_next("a")
    assert skip["href"] == "#facets-h" and skip.text == "Przejdź do filtrów"
    assert facets
