"""The site search's own index of pages (issue 17): each live page of the portal
with the keys of `portal.search.analysis`, so "konkurs" finds "w konkursie" and
"jaselka" finds "Jasełka", identically on SQLite and PostgreSQL (plain ASCII
keys in an ordinary indexed column, no database-specific full-text search).

Kept in step by `cms.search_index` (on publish, unpublish and move; a deleted
page takes its entry with it). Whether a page may be shown is still decided at
query time by Wagtail's own `live()` and `public()`, so a stale entry can never
show a draft or a page behind a view restriction."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import School

KEY_LENGTH = 64


class PageSearchEntry(models.Model):
    """What a result shows without loading the page's own model."""

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
        verbose_name=_("page"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    title = models.CharField(_("title"), max_length=255)
    # normalise_phrase(title): a query that is the whole title ranks first
    title_norm = models.CharField(max_length=255, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    # news: its date (or first publication); events: the day they start
    date = models.DateField(_("date"), null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("page in the site search")
        verbose_name_plural = _("pages in the site search")

    def __str__(self):
        return self.title


class PageSearchKey(models.Model):
    """One analysis key of a page; `in_title` when the title has it."""

    entry = models.ForeignKey(PageSearchEntry, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=KEY_LENGTH)
    in_title = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "key"], name="cms_pagesearchkey_unique")
        ]
        indexes = [models.Index(fields=["key", "entry"], name="cms_pagesearchkey_key")]

    def __str__(self):
        return self.key
