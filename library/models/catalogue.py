"""Bibliographic records, their identifiers, search index and authority file."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.audit import history_row
from portal.models import AuditEntry

from ..languages import PAGE_LANGUAGE, foreign
from ..marc import RecordError, from_stored, subject_languages
from .fields import JSONTextField

MATERIAL_CHOICES = [
    ("book", _("Book")),
    ("article", _("Article or chapter")),
    ("serial", _("Serial")),
    ("manuscript", _("Manuscript")),
    ("music", _("Printed music")),
    ("map", _("Map")),
    ("video", _("Video")),
    ("audio", _("Audio recording")),
    ("picture", _("Picture")),
    ("electronic", _("Electronic resource")),
    ("kit", _("Kit")),
    ("mixed", _("Mixed materials")),
    ("object", _("Object")),
]


class Record(models.Model):
    """A MARC 21 bibliographic record: the full record as MARC-in-JSON (the
    source of truth, exported as is) plus the fields the catalogue shows."""

    marc = JSONTextField()
    school = models.ForeignKey(
        "portal.School",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_records",
        help_text=_("The library that catalogued the record; empty for the shared catalogue."),
    )
    control_number = models.CharField(max_length=64, blank=True)
    control_source = models.CharField(max_length=64, blank=True)
    title = models.TextField()
    responsibility = models.TextField(blank=True)
    main_author = models.CharField(max_length=300, blank=True)
    names = models.JSONField(default=list, blank=True)
    edition = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    place = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    extent = models.CharField(max_length=300, blank=True)
    isbns = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=3, blank=True)
    series = models.JSONField(default=list, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    genres = models.JSONField(default=list, blank=True)
    ukd = models.CharField(max_length=100, blank=True)
    ddc = models.CharField(max_length=100, blank=True)
    summary = models.TextField(blank=True)
    audience = models.CharField(max_length=300, blank=True)
    material = models.CharField(max_length=20, choices=MATERIAL_CHOICES, default="book")
    host = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="parts"
    )
    host_title = models.CharField(max_length=500, blank=True)
    host_related = models.CharField(max_length=300, blank=True)
    host_control = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("bibliographic record")
        verbose_name_plural = _("bibliographic records")
        indexes = [
            models.Index(fields=["control_number"]),
            # The importer links parts that arrived before their host (773 $w)
            # by this column once per batch; without it every batch scans the table.
            models.Index(
                fields=["host_control"],
                name="library_rec_host_ctl_idx",
                condition=~models.Q(host_control=""),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("library:record", args=[self.pk])

    @cached_property
    def lang(self) -> str:
        """The `lang` attribute of the record's title and statements: the BCP 47 tag of
        its MARC language when that is not Polish, else "" ("ru-Latn" for a romanised title)."""
        return foreign(self.language, self.title)

    @cached_property
    def _heading_langs(self) -> dict[str, str]:
        try:
            langs = subject_languages(from_stored(self.marc))
        except (RecordError, ValueError, TypeError, AttributeError):
            return {}  # a stored record that no longer reads still shows its headings
        return {h: "" if tag == PAGE_LANGUAGE else tag for h, tag in langs.items()}

    @property
    def subject_headings(self) -> list[tuple[str, str]]:
        """The subject headings with the `lang` of each: the thesaurus' language (LCSH
        and other English thesauri: "en"), "" for Polish or unknown thesauri."""
        return [(s, self._heading_langs.get(s, "")) for s in self.subjects]

    @property
    def genre_headings(self) -> list[tuple[str, str]]:
        """The genre/form terms with their `lang`, as subject_headings."""
        return [(g, self._heading_langs.get(g, "")) for g in self.genres]


class RecordIdentifier(models.Model):
    """Keys that identify a record across imports: 001+003, 035, ISBN-13."""

    class Kind(models.TextChoices):
        CONTROL = "001", "001+003"
        SYSTEM = "035", "035"
        ISBN = "isbn", "ISBN"

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    value = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self):
        return f"{self.kind} {self.value}"


class SearchDocument(models.Model):
    """The search index row of a record. The four `*_keys` columns hold the
    Polish analysis keys by field weight (title; authors and subjects; series and
    notes; the rest); SQLite mirrors them into an FTS5 table by triggers,
    PostgreSQL derives a GIN-indexed, setweight()-ed tsvector column from them
    (both created in migrations), so a record is searchable as soon as this row
    is written."""

    record = models.OneToOneField(
        Record, primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    title_keys = models.TextField(default="")
    heading_keys = models.TextField(default="", help_text="Authors and subjects.")
    note_keys = models.TextField(default="", help_text="Series and notes.")
    other_keys = models.TextField(default="")
    folded = models.TextField(help_text="Folded title, names and subjects, for phrases.")
    # The title and author columns are read for the hits alone (relevance's
    # tiers), never looked up: no index (migration 0014).
    title_norm = models.CharField(max_length=300)
    author_norm = models.CharField(max_length=300, blank=True)
    author_norm_alt = models.CharField(max_length=300, blank=True)
    sort_title = models.CharField(max_length=120)
    year = models.PositiveSmallIntegerField(null=True)
    language = models.CharField(max_length=3, blank=True)
    material = models.CharField(max_length=20, blank=True)
    school_id_value = models.IntegerField(null=True)
    counted_facets = models.TextField(
        default="", help_text="Subject and genre facets, for counting (indexing.counted_facets)."
    )

    class Meta:
        indexes = [
            models.Index(fields=["year"]),
            models.Index(fields=["language"]),
            models.Index(fields=["sort_title", "record"]),
        ]

    def __str__(self):
        return str(self.record_id)


class CatalogueVersion(models.Model):
    """The catalogue's version kept in the database (one row): bumped in the same
    transaction as every write that changes what a search finds or counts
    (`catalogue_version.catalogue_changed`), so a summary stored under a version
    is valid exactly while that version is the committed one, whatever happens to
    Django's cache."""

    version = models.BigIntegerField(default=1)

    def __str__(self):
        return str(self.version)


class SearchSummary(models.Model):
    """The count, facets and first ranked record ids of a broad query, computed
    ahead, after an import or a reindex (`library.summaries`), so the first reader
    of a common word does not wait for thousands of hits to be counted and ranked.
    Valid while `version` is the stored catalogue version."""

    digest = models.CharField(max_length=64, primary_key=True, help_text="Results.digest()")
    version = models.BigIntegerField()
    query = models.CharField(max_length=300, help_text="What was asked, for people.")
    total = models.IntegerField()
    facets = models.TextField(help_text="JSON: facet kind -> [[value, count], ...].")
    ranked_ids = models.TextField(help_text="JSON: the first record ids by relevance.")

    def __str__(self):
        return self.query


class FacetValue(models.Model):
    """Multi-valued facets of a record (subject, genre, series), also the
    counts of the subject browse."""

    # no index of its own: the (record, kind) index below serves record_id look-ups
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="facet_values", db_index=False
    )
    kind = models.CharField(max_length=10)
    value = models.CharField(max_length=300)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"]), models.Index(fields=["record", "kind"])]

    def __str__(self):
        return f"{self.kind}: {self.value}"


class Term(models.Model):
    """The catalogue's own vocabulary (folded words) for "did you mean"."""

    word = models.CharField(max_length=60, unique=True)
    head = models.CharField(max_length=2, db_index=True)

    def __str__(self):
        return self.word


class RecordChange(AuditEntry):
    """Every change to a record's MARC: who, when, before and after (the whole
    MARC as stored; action is created / edited / imported)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="changes")

    @classmethod
    def row(cls, *, record: Record, user, action: str, before: dict | None) -> RecordChange:
        """The one way a row is made (unsaved, so imports can bulk them): the
        MARC before and the record's MARC now, with who and when."""
        return history_row(
            cls, actor=user, record=record, action=action, before=before, after=record.marc
        )

    def __str__(self):
        return f"{self.record_id} {self.action} {self.at}"


class Authority(models.Model):
    """A MARC authority heading (1XX) with its references (4XX see, 5XX see also)."""

    heading = models.CharField(max_length=300)
    heading_norm = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=20, blank=True)
    control_number = models.CharField(max_length=64, blank=True, db_index=True)
    marc = models.JSONField()

    class Meta:
        ordering = ["heading_norm"]
        verbose_name_plural = _("authorities")

    def __str__(self):
        return self.heading


class AuthorityReference(models.Model):
    class Kind(models.TextChoices):
        SEE = "see", _("see")
        SEE_ALSO = "see_also", _("see also")

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="references")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    heading = models.CharField(max_length=300)
    heading_norm = models.CharField(max_length=300, db_index=True)

    def __str__(self):
        return self.heading
