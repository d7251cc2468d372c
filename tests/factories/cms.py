"""Page builders for the public portal's tests."""

import datetime
import io

from PIL import Image as PILImage

from django.core.files.images import ImageFile
from django.utils import timezone

from wagtail.images import get_image_model

from cms.models import (
    AccessPointHours,
    AccessPointIndexPage,
    AccessPointPage,
    ContactFormField,
    ContactFormPage,
    ContentPage,
    EventIndexPage,
    EventPage,
    NewsIndexPage,
    NewsPage,
    SchoolPage,
)
from cms.services import home_page_ensure, sections_ensure


def make_image(title="Obraz", colour=(30, 80, 120)):
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 40), colour).save(buffer, format="PNG")
    buffer.seek(0)
    image = get_image_model()(title=title)
    image.file = ImageFile(buffer, name=f"{title}.png")
    image.save()
    return image


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_news(index, title="Wiadomość", *, date=None, tags=(), image=None, **fields):
    page = NewsPage(
        title=title,
        lead=fields.pop("lead", f"Lead: {title}"),
        date=date,
        image=image,
        image_alt="Opis zdjęcia" if image else "",
        **fields,
    )
    index.add_child(instance=page)
    if tags:
        page.tags.add(*tags)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_event(index, title="Wydarzenie", *, start_date=None, **fields):
    return publish(
        index,
        EventPage(
            title=title,
            start_date=start_date or timezone.localdate() + datetime.timedelta(days=3),
            **fields,
        ),
    )


def wagtail_basics_ensure():
    """The rows Wagtail's migrations make (the default locale, the root page, the
    root collection). A transactional test (the browser tests) empties every table
    when it ends, so a later one on the same worker finds none of them."""
    from django.conf import settings

    from wagtail.models import Collection, Locale, Page

    locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def build_site(world):
    """Home with portal news and events, a school page with its own news and
    events for schools A and B, a content page and a contact page."""
    wagtail_basics_ensure()
    home = home_page_ensure(title="Portal")
    news = publish(home, NewsIndexPage(title="Aktualności", slug="aktualnosci", show_in_menus=True))
    events = publish(home, EventIndexPage(title="Wydarzenia", slug="wydarzenia"))
    sections = {}
    for key in ("a", "b"):
        school = getattr(world, key).school
        school_page = publish(home, SchoolPage(title=school.name, slug=school.slug, school=school))
        sections[key] = {
            "page": school_page,
            "news": publish(school_page, NewsIndexPage(title="Aktualności", slug="aktualnosci")),
            "events": publish(school_page, EventIndexPage(title="Kalendarz", slug="wydarzenia")),
        }
    content = publish(home, ContentPage(title="Rekrutacja", slug="rekrutacja", lead="Zasady"))
    contact = ContactFormPage(
        title="Kontakt", slug="kontakt", to_address="oswiata@example.org", subject="Kontakt"
    )
    home.add_child(instance=contact)
    ContactFormField.objects.create(
        page=contact, sort_order=0, label="Imię", field_type="singleline", required=True
    )
    ContactFormField.objects.create(
        page=contact, sort_order=1, label="Wiadomość", field_type="multiline", required=True
    )
    contact.save_revision().publish()
    sections_ensure()
    return {
        "home": home,
        "news": news,
        "events": events,
        "content": content,
        "contact": contact,
        **sections,
    }


def make_access_point(index, title, *, hours=(), **fields):
    """A published access point; `hours` as ((first_day, last_day), "8:00", "16:00")."""
    fields.setdefault("kind", AccessPointPage.Kind.INFOMAT)
    fields.setdefault("address", "ul. Rynek 1, Zielona Dolina")
    fields.setdefault("latitude", "50.061400")
    fields.setdefault("longitude", "19.937200")
    page = AccessPointPage(title=title, **fields)
    page.opening_hours = [
        AccessPointHours(
            sort_order=n,
            first_day=days[0],
            last_day=days[1],
            opens=datetime.time(*map(int, opens.split(":"))),
            closes=datetime.time(*map(int, closes.split(":"))),
        )
        for n, (days, opens, closes) in enumerate(hours)
    ]
    return publish(index, page)


def build_access_points(home):
    """The index with three points: an infomat open on weekdays, a library open on
    Saturdays too, and a hotspot open round the clock."""
    index = publish(home, AccessPointIndexPage(title="Punkty dostępu", slug="punkty-dostepu"))
    points = [
        make_access_point(
            index,
            "Infomat w urzędzie",
            slug="infomat-urzad",
            hours=[((0, 4), "8:00", "16:00")],
            has_computers=True,
            has_printer=True,
            has_induction_loop=True,
        ),
        make_access_point(
            index,
            "Biblioteka gminna",
            slug="biblioteka",
            kind=AccessPointPage.Kind.LIBRARY,
            latitude="50.070000",
            longitude="19.950000",
            hours=[((0, 4), "9:00", "17:00"), ((5, 5), "9:00", "13:00")],
            has_wheelchair_access=True,
        ),
        make_access_point(
            index,
            "Hotspot w parku",
            slug="hotspot-park",
            kind=AccessPointPage.Kind.HOTSPOT,
            latitude="50.050000",
            longitude="19.930000",
            always_open=True,
            has_wifi=True,
        ),
    ]
    return index, points
