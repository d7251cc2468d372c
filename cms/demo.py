# ruff: noqa: E501 -- long Polish demo sentences read better unbroken
"""Demo page tree for `seed_demo`: home, a page per school, 20 news items with
generated (deterministic) images, events, a contact page, editors per school
and a moderator. Idempotent: everything is keyed on slugs and usernames."""

from __future__ import annotations

import datetime
import io
import json
import random

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from django.core.files.images import ImageFile
from django.utils import timezone
from django.utils.text import slugify

from wagtail.images import get_image_model
from wagtail.models import Collection

from portal.models import MunicipalitySettings, Role, RoleAssignment

from .models import (
    AccessibilityStatementPage,
    ContactFormField,
    ContactFormPage,
    ContentPage,
    EventIndexPage,
    EventPage,
    NewsIndexPage,
    NewsPage,
    QuickLink,
    SchoolGalleryImage,
    SchoolPage,
)
from .services import editor_groups_sync_all, home_page_ensure, sections_ensure

PALETTES = [
    ((29, 79, 122), (120, 180, 220)),
    ((46, 125, 50), (174, 213, 129)),
    ((183, 28, 28), (255, 171, 145)),
    ((81, 45, 168), (179, 157, 219)),
    ((230, 81, 0), (255, 204, 128)),
    ((0, 105, 92), (128, 203, 196)),
]

NEWS = [
    (
        "Ślubowanie pierwszoklasistów",
        "Uroczyście przyjęliśmy do grona uczniów 48 pierwszoklasistów.",
        ["uroczystości"],
    ),
    (
        "Sukces w gminnym konkursie matematycznym",
        "Nasi uczniowie zajęli trzy pierwsze miejsca w konkursie „Kangurek”.",
        ["konkursy", "matematyka"],
    ),
    (
        "Dzień Edukacji Narodowej",
        "Podziękowaliśmy nauczycielom i pracownikom szkoły za ich codzienną pracę.",
        ["uroczystości"],
    ),
    (
        "Sprzątanie świata 2026",
        "Klasy czwarte posprzątały brzegi rzeki i park miejski.",
        ["ekologia", "wolontariat"],
    ),
    (
        "Nowa pracownia przyrodnicza",
        "Dzięki programowi „Laboratoria przyszłości” otworzyliśmy nowoczesną pracownię.",
        ["inwestycje"],
    ),
    (
        "Zbiórka karmy dla schroniska",
        "Samorząd uczniowski zebrał ponad 200 kg karmy dla zwierząt.",
        ["wolontariat"],
    ),
    (
        "Narodowe Czytanie w bibliotece",
        "Uczniowie czytali fragmenty „Nad Niemnem” przed szkolną biblioteką.",
        ["biblioteka", "czytelnictwo"],
    ),
    (
        "Wycieczka do Krakowa",
        "Klasy siódme zwiedziły Wawel, Sukiennice i Kopalnię Soli w Wieliczce.",
        ["wycieczki"],
    ),
    (
        "Mistrzostwa gminy w piłce siatkowej",
        "Drużyna dziewcząt zdobyła złoty medal mistrzostw gminy.",
        ["sport"],
    ),
    (
        "Dzień Niepodległości w szkole",
        "Uczniowie przygotowali akademię i wspólnie odśpiewali hymn o 11:11.",
        ["uroczystości", "historia"],
    ),
    (
        "Zebrania z rodzicami",
        "Zapraszamy rodziców na zebrania śródroczne – harmonogram w artykule.",
        ["dla rodziców"],
    ),
    (
        "Warsztaty programowania",
        "Uczniowie klas piątych budowali roboty z klocków i programowali je w Scratchu.",
        ["informatyka"],
    ),
    (
        "Konkurs recytatorski",
        "Poznaliśmy laureatów szkolnego etapu konkursu recytatorskiego.",
        ["konkursy", "czytelnictwo"],
    ),
    (
        "Bezpieczna droga do szkoły",
        "Policjanci rozmawiali z najmłodszymi o bezpiecznym przechodzeniu przez jezdnię.",
        ["bezpieczeństwo"],
    ),
    (
        "Rekrutacja do klas pierwszych",
        "Zasady i terminy rekrutacji na rok szkolny 2027/2028.",
        ["rekrutacja", "dla rodziców"],
    ),
    (
        "Szkolny festiwal nauki",
        "Pokazy chemiczne, łamigłówki i planetarium – tak wyglądał nasz festiwal.",
        ["nauka"],
    ),
    (
        "Olimpiada z języka angielskiego",
        "Dwie uczennice zakwalifikowały się do etapu wojewódzkiego.",
        ["konkursy", "języki obce"],
    ),
    (
        "Zimowa zbiórka dla potrzebujących",
        "Włączamy się w akcję Szlachetnej Paczki – przynoście dary do świetlicy.",
        ["wolontariat"],
    ),
    (
        "Termomodernizacja budynku zakończona",
        "Gmina zakończyła docieplenie i wymianę okien w budynku szkoły.",
        ["inwestycje"],
    ),
    (
        "Gminny przegląd kolęd",
        "Zapraszamy chóry i zespoły szkolne do udziału w przeglądzie.",
        ["kultura"],
    ),
]

EVENTS = [
    ("Zebranie z rodzicami klas 1–3", 5, "17:00", "sale lekcyjne klas 1–3"),
    ("Dzień otwarty szkoły", 12, "10:00", "budynek szkoły"),
    ("Koncert świąteczny", 26, "18:00", "aula"),
    ("Mistrzostwa gminy w tenisie stołowym", 33, "09:00", "hala sportowa"),
    ("Bal karnawałowy", 60, "16:00", "sala gimnastyczna"),
    ("Gminny konkurs ortograficzny", 75, "10:00", "biblioteka szkolna"),
    ("Dzień Papieski", -35, "09:00", "kościół parafialny i szkoła"),
    ("Wyjście do teatru lalek", -20, "10:30", "Teatr Miejski"),
    ("Akademia z okazji Święta Niepodległości", -10, "11:00", "aula"),
    ("Rekolekcje szkolne", 110, None, "parafia"),
    ("Dzień Ziemi – sprzątanie parku", 150, "09:00", "park miejski"),
    ("Festyn rodzinny", 190, "14:00", "boisko szkolne"),
]


# What the portal is known not to do yet (checked in the code, not guessed): the
# municipality reviews the draft before publishing it on a real site.
STATEMENT_INACCESSIBLE = (
    "<ul>"
    "<li>Pliki PDF tworzone przez portal – karty biblioteczne czytelników i wydruk danych "
    "osobowych dla inspektora ochrony danych – nie mają struktury znaczników (tagów), więc "
    "czytnik ekranu odczytuje je jako zwykły tekst. Te same dane są dostępne na stronach "
    "portalu (konto czytelnika w katalogu biblioteki, eksport danych w formacie JSON); "
    "wersję dostępną przygotujemy na prośbę.</li>"
    "<li>Załączniki dodawane przez redaktorów, nauczycieli i rodziców (dokumenty PDF, DOCX, "
    "ODT, zdjęcia przy zadaniach domowych i usprawiedliwieniach) nie są sprawdzane pod "
    "kątem dostępności i mogą jej nie spełniać. Na prośbę udostępnimy ich treść w innej "
    "formie.</li>"
    "<li>Filmy osadzane w artykułach z serwisów zewnętrznych (YouTube, Vimeo) mogą nie mieć "
    "napisów ani audiodeskrypcji – zależy to od ich autorów.</li>"
    "<li>Opisy książek w katalogu bibliotek pochodzą z katalogów innych bibliotek (format "
    "MARC 21). Część z nich jest w języku oryginału (angielskim, niemieckim, hiszpańskim, "
    "francuskim i innych), a część haseł przedmiotowych jest po angielsku. Język tych "
    "opisów oznaczamy na podstawie kodu języka zapisanego w rekordzie; gdy tego kodu brak "
    "albo jest błędny, czytnik ekranu może odczytać tekst z polską wymową.</li>"
    "</ul>"
)
STATEMENT_ASSESSMENT = (
    "<p>Samoocenę przeprowadził zespół portalu: ręczny przegląd stron każdej roli "
    "(czytelnik, rodzic, uczeń, nauczyciel, sekretariat, bibliotekarz, urzędnik) z samą "
    "klawiaturą, przy szerokości ekranu 320 pikseli i powiększeniu 200%, na telefonie, "
    "oraz testy automatyczne narzędziem axe-core.</p>"
    "<p>Samooceną nie objęto paneli administracyjnych (/cms-admin/ i /django-admin/), z "
    "których korzystają wyłącznie pracownicy.</p>"
)
STATEMENT_FEATURES = (
    "<ul>"
    "<li>Pierwszy klawisz Tab pokazuje odnośnik „Przejdź do treści głównej”.</li>"
    "<li>Na stronie działają standardowe skróty klawiaturowe przeglądarki.</li>"
    "<li>Portal jest dostępny po polsku i po angielsku (przełącznik języka w nagłówku).</li>"
    "<li>Formularz kontaktowy nie wymaga przepisywania kodów CAPTCHA.</li>"
    "<li>Aktualności można czytać w czytniku kanałów (RSS, Atom), a wydarzenia dodać do "
    "kalendarza w telefonie (iCalendar).</li>"
    "</ul>"
)


def statement_complaints_to(municipality) -> str:
    """The head of the office: the wójt of a gmina ("Gmina X" -> "Wójt Gminy X")."""
    name = municipality.name
    head = f"Wójt Gminy {name[len('Gmina ') :]}" if name.startswith("Gmina ") else name
    return ", ".join(part for part in (head, municipality.office_address) if part)


def statement_architecture(office: str, address: str) -> str:
    where = f" ({address})" if address else ""
    return (
        f"<p>Opis dostępności architektonicznej budynku, w którym mieści się {office}{where}, "
        "oraz budynków szkół prowadzonych przez gminę przekazuje na prośbę koordynator do "
        "spraw dostępności – telefonicznie, e-mailem lub listownie (dane kontaktowe "
        "powyżej).</p>"
        "<p>Do budynków można wejść z psem asystującym.</p>"
    )


def statement_communication(municipality) -> str:
    contact = ", ".join(
        part
        for part in (
            f"telefonicznie: {municipality.office_phone}" if municipality.office_phone else "",
            f"e-mailem: {municipality.office_email}" if municipality.office_email else "",
            f"listownie: {municipality.office_address}" if municipality.office_address else "",
        )
        if part
    )
    ways = f"{contact} oraz przez formularz kontaktowy" if contact else "przez formularz kontaktowy"
    return (
        f"<p>Z urzędem można się skontaktować {ways} w portalu (strona „Kontakt”).</p>"
        "<p>Osoba doświadczająca trudności w komunikowaniu się może skorzystać z pomocy "
        "tłumacza polskiego języka migowego (PJM), systemu językowo-migowego (SJM) lub "
        "sposobu komunikowania się osób głuchoniewidomych (SKOGN). Pomoc tłumacza należy "
        "zgłosić co najmniej 3 dni robocze przed terminem wizyty, z wyjątkiem sytuacji "
        "nagłych.</p>"
    )


def polish_slug(text: str) -> str:
    return slugify(text.replace("ł", "l").replace("Ł", "L"))


def _font(size: int):
    """A font with Polish letters where the system has one (Pillow's built-in lacks ł, ś)."""
    for path in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def demo_image(title: str, seed: int):
    """A deterministic picture: a gradient with simple shapes, made with Pillow."""
    rng = random.Random(seed)
    dark, light = PALETTES[seed % len(PALETTES)]
    width, height = 1200, 750
    picture = PILImage.new("RGB", (width, height), dark)
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        t = y / height
        colour = tuple(int(dark[i] * (1 - t) + light[i] * t) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    for _n in range(6):
        x, y = rng.randint(0, width), rng.randint(0, height)
        r = rng.randint(40, 180)
        shade = tuple(min(255, c + rng.randint(10, 60)) for c in light)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=shade, width=8)
    draw.rectangle([0, height - 120, width, height], fill=(255, 255, 255))
    draw.text((40, height - 90), title, fill=dark, font=_font(48))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=80)
    buffer.seek(0)
    return buffer


class CmsSeeder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = random.Random(20261101)
        self.now = timezone.now()
        self.collection = self._collection()
        Image = get_image_model()
        self.images = {img.title: img for img in Image.objects.filter(collection=self.collection)}

    def _collection(self):
        root = Collection.get_first_root_node()
        existing = root.get_children().filter(name="Demo").first()
        return existing or root.add_child(name="Demo")

    def image(self, title: str, seed: int):
        if title in self.images:
            return self.images[title]
        Image = get_image_model()
        image = Image(title=title, collection=self.collection, description=title)
        image.file = ImageFile(demo_image(title, seed), name=f"demo-{seed}.jpg")
        image.save()
        self.images[title] = image
        return image

    def publish(self, parent, page, *, when=None):
        parent.add_child(instance=page)
        revision = page.save_revision()
        revision.publish()
        if when is not None:
            type(page).objects.filter(pk=page.pk).update(
                first_published_at=when, last_published_at=when
            )
        return page

    def child(self, parent, model, slug):
        return model.objects.child_of(parent).filter(slug=slug).first()

    def body(self, lead: str, image=None, alt: str = ""):
        blocks = [
            {
                "type": "paragraph",
                "value": f"<p>{lead} Dziękujemy wszystkim, którzy pomogli w przygotowaniach.</p>",
            },
            {"type": "heading", "value": {"text": "Jak to wyglądało", "level": "h2"}},
            {
                "type": "paragraph",
                "value": "<p>Wydarzenie przygotowali nauczyciele wspólnie z samorządem "
                "uczniowskim. Zdjęcia z wydarzenia można obejrzeć w galerii szkoły.</p>",
            },
            {
                "type": "quote",
                "value": {
                    "quote": "Takie dni pokazują, że szkoła to przede wszystkim ludzie.",
                    "attribution": "dyrekcja szkoły",
                },
            },
        ]
        if image is not None:
            blocks.insert(
                2, {"type": "image", "value": {"image": image.pk, "alt": alt, "caption": ""}}
            )
        return json.dumps(blocks)

    def run(self):
        home = home_page_ensure(title="Portal Oświatowy Gminy Zielona Dolina")
        if not home.intro:
            home.intro = (
                "<p>Aktualności, wydarzenia i informacje ze szkół prowadzonych przez "
                "Gminę Zielona Dolina – w jednym miejscu.</p>"
            )
            home.search_description = "Portal oświatowy gminy: aktualności ze szkół, kalendarz wydarzeń, katalog bibliotek i e-dziennik."
            home.save_revision().publish()
        if not home.quick_links.exists():
            QuickLink.objects.create(
                page=home,
                sort_order=0,
                title="Rekrutacja do szkół",
                url="/rekrutacja/",
                description="Zasady i terminy naboru",
            )
            QuickLink.objects.create(
                page=home,
                sort_order=1,
                title="Kontakt z wydziałem oświaty",
                url="/kontakt/",
                description="Formularz kontaktowy",
            )
        news_index = self.child(home, NewsIndexPage, "aktualnosci") or self.publish(
            home,
            NewsIndexPage(
                title="Aktualności",
                slug="aktualnosci",
                show_in_menus=True,
                intro="<p>Wiadomości ze wszystkich szkół gminy.</p>",
            ),
        )
        event_index = self.child(home, EventIndexPage, "wydarzenia") or self.publish(
            home,
            EventIndexPage(title="Kalendarz wydarzeń", slug="wydarzenia", show_in_menus=True),
        )
        school_pages = []
        for n, school in enumerate(self.ctx.schools):
            school_pages.append(self.school_page(home, school, n))
        self.news(news_index, school_pages)
        self.events(event_index, school_pages)
        self.content_pages(home)
        self.accessibility_statement(home)
        access_points_seed(home, self.publish)
        sections_ensure()
        self.accounts()
        editor_groups_sync_all()
        self.moderation_examples(school_pages)

    def school_page(self, home, school, n):
        page = SchoolPage.objects.filter(school=school).first()
        if page is not None:
            return page
        image = self.image(f"Budynek {school.short_name}", 100 + n)
        description = json.dumps(
            [
                {
                    "type": "paragraph",
                    "value": f"<p>{school.name} to szkoła z tradycjami, w której uczniowie rozwijają swoje pasje w przyjaznej atmosferze. Oferujemy zajęcia pozalekcyjne, koła zainteresowań i bogato wyposażoną bibliotekę.</p>",
                },
                {"type": "heading", "value": {"text": "Nasza oferta", "level": "h2"}},
                {
                    "type": "paragraph",
                    "value": "<ul><li>koła przedmiotowe i sportowe</li><li>świetlica czynna od 6:30 do 17:00</li><li>stołówka i gabinet profilaktyki zdrowotnej</li></ul>",
                },
                {
                    "type": "table",
                    "value": {
                        "first_row_is_table_header": True,
                        "first_col_is_header": False,
                        "data": [
                            ["Zajęcia", "Dzień", "Godzina"],
                            ["Koło matematyczne", "wtorek", "14:00"],
                            ["Chór szkolny", "czwartek", "14:45"],
                        ],
                    },
                },
            ]
        )
        page = SchoolPage(
            title=school.name,
            slug=school.slug,
            school=school,
            show_in_menus=False,
            hours="Sekretariat: poniedziałek–piątek 7:30–15:30\nŚwietlica: 6:30–17:00",
            image=image,
            image_alt=f"Budynek szkoły {school.short_name} od strony wejścia głównego",
            description=description,
            search_description=f"{school.name}: aktualności, wydarzenia, kontakt i godziny pracy.",
        )
        home.add_child(instance=page)
        for i in range(3):
            picture = self.image(f"Galeria {school.short_name} {i + 1}", 200 + n * 10 + i)
            SchoolGalleryImage.objects.create(
                page=page,
                sort_order=i,
                image=picture,
                alt=f"Uczniowie {school.short_name} podczas zajęć, zdjęcie {i + 1}",
            )
        page.save_revision().publish()
        self.publish(page, NewsIndexPage(title="Aktualności", slug="aktualnosci"))
        self.publish(page, EventIndexPage(title="Kalendarz", slug="wydarzenia"))
        self.publish(
            page,
            ContentPage(
                title="O szkole",
                slug="o-szkole",
                lead="Historia, patron i statut szkoły.",
                body=json.dumps(
                    [
                        {
                            "type": "paragraph",
                            "value": "<p>Szkoła działa od 1962 roku. Statut szkoły jest dostępny w sekretariacie.</p>",
                        }
                    ]
                ),
            ),
        )
        return page

    def news(self, portal_index, school_pages):
        indexes = [portal_index] + [NewsIndexPage.objects.child_of(p).first() for p in school_pages]
        existing = set(NewsPage.objects.values_list("slug", flat=True))
        today = self.ctx.today
        for i, (title, lead, tags) in enumerate(NEWS):
            slug = polish_slug(title)
            if slug in existing:
                continue
            parent = indexes[i % len(indexes)]
            image = self.image(title, i)
            alt = f"Zdjęcie: {title.lower()}"
            day = today - datetime.timedelta(days=i * 3 + 1)
            page = NewsPage(
                title=title,
                slug=slug,
                lead=lead,
                date=day if i % 4 else None,
                image=image,
                image_alt=alt,
                body=self.body(lead, image, alt),
            )
            when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
            parent.add_child(instance=page)
            page.tags.add(*tags)
            page.save_revision().publish()
            NewsPage.objects.filter(pk=page.pk).update(
                first_published_at=when, last_published_at=when
            )

    def events(self, portal_index, school_pages):
        indexes = [portal_index] + [
            EventIndexPage.objects.child_of(p).first() for p in school_pages
        ]
        existing = set(EventPage.objects.values_list("slug", flat=True))
        for i, (title, offset, time, place) in enumerate(EVENTS):
            slug = f"wydarzenie-{i + 1:02d}"
            if slug in existing:
                continue
            day = self.ctx.today + datetime.timedelta(days=offset)
            parent = indexes[i % len(indexes)]
            self.publish(
                parent,
                EventPage(
                    title=title,
                    slug=slug,
                    start_date=day,
                    start_time=datetime.time.fromisoformat(time) if time else None,
                    place=place,
                    lead=f"{title} – zapraszamy uczniów, rodziców i mieszkańców gminy.",
                ),
            )

    def content_pages(self, home):
        if not self.child(home, ContentPage, "rekrutacja"):
            self.publish(
                home,
                ContentPage(
                    title="Rekrutacja",
                    slug="rekrutacja",
                    show_in_menus=True,
                    lead="Zasady przyjęć do przedszkoli i szkół prowadzonych przez gminę.",
                    body=json.dumps(
                        [
                            {
                                "type": "paragraph",
                                "value": "<p>Rekrutacja prowadzona jest w systemie elektronicznym. Wnioski można składać w wybranej szkole.</p>",
                            },
                            {
                                "type": "table",
                                "value": {
                                    "first_row_is_table_header": True,
                                    "first_col_is_header": False,
                                    "data": [
                                        ["Etap", "Termin"],
                                        ["Składanie wniosków", "1–15 marca"],
                                        ["Lista zakwalifikowanych", "5 kwietnia"],
                                        ["Potwierdzenie woli", "do 12 kwietnia"],
                                    ],
                                },
                            },
                        ]
                    ),
                ),
            )
        if not self.child(home, ContactFormPage, "kontakt"):
            page = ContactFormPage(
                title="Kontakt",
                slug="kontakt",
                show_in_menus=True,
                intro="<p>Napisz do Wydziału Oświaty. Odpowiadamy w ciągu 7 dni roboczych.</p>",
                thank_you_text="<p>Dziękujemy! Wiadomość została wysłana.</p>",
                to_address="oswiata@zielonadolina.example.org",
                from_address="portal@zielonadolina.example.org",
                subject="Wiadomość z portalu oświatowego",
            )
            home.add_child(instance=page)
            for i, (label, field_type, required, autocomplete) in enumerate(
                [
                    ("Imię i nazwisko", "singleline", True, "name"),
                    ("Adres e-mail", "email", True, "email"),
                    ("Telefon (jeśli wolisz rozmowę)", "singleline", False, "tel"),
                    ("Wiadomość", "multiline", True, ""),
                ]
            ):
                ContactFormField.objects.create(
                    page=page,
                    sort_order=i,
                    label=label,
                    field_type=field_type,
                    required=required,
                    autocomplete=autocomplete,
                )
            page.save_revision().publish()

    def accessibility_statement(self, home):
        """The municipality's statement, a draft of what this portal is known to
        lack, for the gmina to review before it goes to the footer of a real site."""
        if AccessibilityStatementPage.objects.child_of(home).exists():
            return
        municipality = MunicipalitySettings.load()
        office = municipality.office_name or municipality.name
        today = self.ctx.today
        published = (
            timezone.localdate(home.first_published_at) if home.first_published_at else today
        )
        self.publish(
            home,
            AccessibilityStatementPage(
                title="Deklaracja dostępności",
                search_description=f"Deklaracja dostępności portalu oświatowego: {municipality.name}.",
                body_name=municipality.name,
                published_on=published,
                updated_on=today,
                status=AccessibilityStatementPage.Status.PARTIAL,
                inaccessible_content=STATEMENT_INACCESSIBLE,
                prepared_on=today,
                assessment=AccessibilityStatementPage.Assessment.SELF,
                assessment_notes=STATEMENT_ASSESSMENT,
                features=STATEMENT_FEATURES,
                coordinator_name="Agnieszka Nowicka",
                coordinator_email="dostepnosc@zielonadolina.example.org",
                coordinator_phone=municipality.office_phone or "+48 12 345 60 00",
                complaints_to=statement_complaints_to(municipality),
                architecture=statement_architecture(office, municipality.office_address),
                communication=statement_communication(municipality),
                mobile_apps=(
                    f"<p>{municipality.name} nie udostępnia aplikacji mobilnych. Portal działa w "
                    "przeglądarce na telefonie, a kalendarz wydarzeń można subskrybować w "
                    "aplikacji kalendarza (format iCalendar).</p>"
                ),
            ),
        )

    def moderation_examples(self, school_pages):
        """A draft waiting for the moderator and one scheduled for next week, so the
        dashboard panels and the admin show the workflow straight away."""
        index = NewsIndexPage.objects.child_of(school_pages[0]).first()
        editor = self.ctx.accounts["redaktor-sp1"]
        if not NewsPage.objects.filter(slug="wyniki-konkursu-plastycznego").exists():
            page = NewsPage(
                title="Wyniki konkursu plastycznego",
                slug="wyniki-konkursu-plastycznego",
                lead="Poznaliśmy zwycięzców konkursu „Moja mała ojczyzna”.",
                live=False,
            )
            index.add_child(instance=page)
            page.save_revision(user=editor)
            page.get_workflow().start(page, editor)
        if not NewsPage.objects.filter(slug="ferie-zimowe-w-szkole").exists():
            page = NewsPage(
                title="Ferie zimowe w szkole",
                slug="ferie-zimowe-w-szkole",
                lead="Program zajęć świetlicowych na czas ferii zimowych.",
                live=False,
                go_live_at=self.now + datetime.timedelta(days=7),
            )
            index.add_child(instance=page)
            moderator = self.ctx.accounts["demo-moderator"]
            # Publishing a revision whose go-live time is ahead only schedules it.
            page.save_revision(user=moderator).publish(user=moderator)

    def accounts(self):
        schools = self.ctx.schools
        users = [
            ("redaktor-sp1", "Paulina", "Sowińska", Role.EDITOR, schools[0]),
            ("redaktor-sp2", "Tomasz", "Lis", Role.EDITOR, schools[1]),
            ("demo-moderator", "Marek", "Moderski", Role.MODERATOR, None),
        ]
        from portal.models import User

        for username, first, last, role, school in users:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(
                    username=username,
                    first_name=first,
                    last_name=last,
                    is_demo=True,
                    password=self.ctx.password_hash,
                    email=f"{username}@zielonadolina.example.org",
                )
            self.ctx.accounts[username] = user
            RoleAssignment.objects.get_or_create(user=user, role=role, school=school)


# The gmina's public access points (issue 18): four infomaty, two hotspots, the
# telecentre and the library, around the market square of the demo town.
WEEKDAYS_ONLY, SATURDAY = (0, 4), (5, 5)
DEMO_ACCESS_POINTS = [
    {
        "title": "Infomat w Urzędzie Gminy",
        "slug": "infomat-urzad-gminy",
        "kind": "infomat",
        "address": "ul. Rynek 1, 12-345 Zielona Dolina",
        "place": "Hol na parterze, przy biurze podawczym",
        "latitude": "50.061400",
        "longitude": "19.937200",
        "hours": [(WEEKDAYS_ONLY, "7:30", "15:30")],
        "features": [
            "has_computers",
            "has_printer",
            "has_public_services",
            "has_wheelchair_access",
            "has_induction_loop",
        ],
        "hours_note": "W dni ustawowo wolne od pracy nieczynne.",
    },
    {
        "title": "Infomat w Szkole Podstawowej nr 1",
        "slug": "infomat-sp1",
        "kind": "infomat",
        "address": "ul. Szkolna 1, 12-345 Zielona Dolina",
        "place": "Korytarz przy sekretariacie",
        "latitude": "50.064300",
        "longitude": "19.931500",
        "hours": [(WEEKDAYS_ONLY, "7:00", "17:00")],
        "features": ["has_computers", "has_wheelchair_access"],
    },
    {
        "title": "Infomat w Gminnym Ośrodku Kultury",
        "slug": "infomat-gok",
        "kind": "infomat",
        "address": "ul. Kościuszki 8, 12-345 Zielona Dolina",
        "place": "Foyer, obok kasy",
        "latitude": "50.059100",
        "longitude": "19.942800",
        "hours": [(WEEKDAYS_ONLY, "10:00", "20:00"), (SATURDAY, "10:00", "14:00")],
        "features": [
            "has_computers",
            "has_printer",
            "has_scanner",
            "has_digital_help",
            "has_wheelchair_access",
        ],
    },
    {
        "title": "Infomat w Ośrodku Pomocy Społecznej",
        "slug": "infomat-ops",
        "kind": "infomat",
        "address": "ul. Ogrodowa 3, 12-345 Zielona Dolina",
        "place": "Poczekalnia na parterze",
        "latitude": "50.057600",
        "longitude": "19.934100",
        "hours": [(WEEKDAYS_ONLY, "7:30", "15:30")],
        "features": [
            "has_computers",
            "has_digital_help",
            "has_public_services",
            "has_wheelchair_access",
        ],
    },
    {
        "title": "Hotspot na Rynku",
        "slug": "hotspot-rynek",
        "kind": "hotspot",
        "address": "Rynek, 12-345 Zielona Dolina",
        "place": "Cały plac i okolice fontanny",
        "latitude": "50.061800",
        "longitude": "19.936300",
        "always_open": True,
        "features": ["has_wifi"],
    },
    {
        "title": "Hotspot w Parku Miejskim",
        "slug": "hotspot-park",
        "kind": "hotspot",
        "address": "Park Miejski, ul. Parkowa, 12-345 Zielona Dolina",
        "place": "Przy placu zabaw i amfiteatrze",
        "latitude": "50.066200",
        "longitude": "19.945600",
        "always_open": True,
        "features": ["has_wifi"],
    },
    {
        "title": "Telecentrum Zielona Dolina",
        "slug": "telecentrum",
        "kind": "telecentre",
        "address": "ul. Kościuszki 8, 12-345 Zielona Dolina",
        "place": "I piętro Gminnego Ośrodka Kultury, sala 12",
        "latitude": "50.059300",
        "longitude": "19.943300",
        "hours": [(WEEKDAYS_ONLY, "12:00", "20:00"), (SATURDAY, "9:00", "13:00")],
        "features": [
            "has_computers",
            "has_wifi",
            "has_printer",
            "has_scanner",
            "has_digital_help",
            "has_public_services",
        ],
        "hours_note": "Pomoc w e-usługach: wtorki i czwartki 16:00–19:00.",
    },
    {
        "title": "Gminna Biblioteka Publiczna",
        "slug": "biblioteka-publiczna",
        "kind": "library",
        "address": "ul. Mickiewicza 2, 12-345 Zielona Dolina",
        "place": "Czytelnia na parterze",
        "latitude": "50.062700",
        "longitude": "19.940100",
        "hours": [
            ((0, 0), "12:00", "19:00"),
            ((1, 4), "9:00", "17:00"),
            (SATURDAY, "9:00", "14:00"),
        ],
        "features": [
            "has_computers",
            "has_wifi",
            "has_printer",
            "has_scanner",
            "has_digital_help",
            "has_wheelchair_access",
            "has_induction_loop",
        ],
    },
]


def _clock(text: str) -> datetime.time:
    hour, minute = text.split(":")
    return datetime.time(int(hour), int(minute))


def access_points_seed(home, publish) -> None:
    """The access points' index (in the menu) and its points; what exists stays."""
    from .access_points import AccessPointHours, AccessPointIndexPage, AccessPointPage

    index = AccessPointIndexPage.objects.child_of(home).first()
    if index is None:
        index = publish(
            home,
            AccessPointIndexPage(
                title="Punkty dostępu do internetu",
                slug="punkty-dostepu",
                show_in_menus=True,
                intro=(
                    "<p>Gdzie w gminie skorzystać bezpłatnie z internetu, komputera, drukarki "
                    "i e-usług urzędów – i gdzie pomogą, jeśli nie korzystasz na co dzień z "
                    "komputera.</p>"
                ),
            ),
        )
    for data in DEMO_ACCESS_POINTS:
        if AccessPointPage.objects.filter(slug=data["slug"]).exists():
            continue
        point = AccessPointPage(
            title=data["title"],
            slug=data["slug"],
            kind=data["kind"],
            address=data["address"],
            place=data["place"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            always_open=data.get("always_open", False),
            hours_note=data.get("hours_note", ""),
            **dict.fromkeys(data["features"], True),
        )
        point.opening_hours = [
            AccessPointHours(
                sort_order=n,
                first_day=days[0],
                last_day=days[1],
                opens=_clock(opens),
                closes=_clock(closes),
            )
            for n, (days, opens, closes) in enumerate(data.get("hours", []))
        ]
        publish(index, point)


def seed_cms(ctx) -> None:
    CmsSeeder(ctx).run()
    ctx.log("cms: page tree, news, events, editors and moderation ready")
