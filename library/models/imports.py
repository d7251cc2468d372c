"""Import runs started from the librarian's screen and their per-record report."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    school = models.ForeignKey("portal.School", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    file_name = models.CharField(max_length=200)
    data = models.BinaryField()
    fmt = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    processed = models.PositiveIntegerField(default=0)
    # About how many records the file holds (counted at upload), for the progress bar.
    total = models.PositiveIntegerField(null=True, blank=True)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    warned = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ImportReportLine(models.Model):
    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("imported")
        UPDATED = "updated", _("updated")
        WARNED = "warned", _("imported with warnings")
        REJECTED = "rejected", _("rejected")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    record = models.ForeignKey(
        "library.Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"{self.position}: {self.outcome}"
