"""The whole school's registers of a year as one ZIP of per-class PDFs, written
by the task worker for a `RegisterExportJob` (format "register-pdfs"). A class
that fails stops the job with the class's name in the reason: a ZIP missing a
class must not pass for the school's register."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import IO

from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.models import SchoolClass

from .register_pdf import class_register_pdf, register_filename

Progress = Callable[[int, int], None]


class ClassPrintFailed(Exception):
    """One class's printout failed; the message names the class."""


def register_pdfs_filename(job) -> str:
    year = job.school_year
    name = slugify(year.name.replace("/", "-"))
    return f"dzienniki-{year.school.slug}-{name}.zip"


def register_pdfs_write(job, out: IO[bytes], progress: Progress) -> None:
    """Write the ZIP of the register PDF of every class of the job's year, one
    class at a time (one class's PDF in memory), reporting `progress(done, total)`
    after each class."""
    classes = list(
        SchoolClass.objects.filter(school_year=job.school_year)
        .select_related("school_year__school")
        .order_by("level", "name", "pk")
    )
    progress(0, len(classes))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, school_class in enumerate(classes, start=1):
            try:
                data = class_register_pdf(school_class)
            except Exception as exc:
                raise ClassPrintFailed(
                    _("class %(name)s: %(reason)s")
                    % {"name": school_class.name, "reason": str(exc) or exc.__class__.__name__}
                ) from exc
            archive.writestr(f"{slugify(register_filename(school_class, None))}.pdf", data)
            progress(done, len(classes))
