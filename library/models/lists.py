"""Reading lists (zestawienia bibliograficzne) and the kartoteka zagadnieniowa."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ReadingList(models.Model):
    class Kind(models.TextChoices):
        CLASS = "class", _("for a class")
        TOPIC = "topic", _("on a topic")
        NEW = "new", _("new acquisitions")

    school = models.ForeignKey("portal.School", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("class or audience"), max_length=100, blank=True)
    date_from = models.DateField(_("acquired from"), null=True, blank=True)
    date_to = models.DateField(_("acquired until"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("library:list", args=[self.slug])


class ReadingListItem(models.Model):
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey("library.Record", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["reading_list", "record"], name="library_list_record")
        ]

    def __str__(self):
        return f"{self.reading_list_id}: {self.record_id}"


class Topic(models.Model):
    """A heading of the kartoteka zagadnieniowa."""

    school = models.ForeignKey("portal.School", on_delete=models.CASCADE)
    name = models.CharField(_("topic"), max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("library:topic", args=[self.slug])


class TopicEntry(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="entries")
    record = models.ForeignKey("library.Record", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "record"], name="library_topic_record")
        ]

    def __str__(self):
        return f"{self.topic_id}: {self.record_id}"
