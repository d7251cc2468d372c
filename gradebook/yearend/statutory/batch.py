"""The batches the task worker writes for a `RegisterExportJob`: the whole
school's registers of a year as one ZIP of per-class PDFs (format
"register-pdfs"), and a class's record sheets as one PDF (format "sheets-pdf").
A class that fails stops the ZIP with the class's name in the reason: a ZIP
missing a class must not pass for the school's register."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.models import SchoolClass

from . import sheets
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


# The steps of a class's record sheets, as `progress(done, total)` reports them.
SHEETS_GATHERING, SHEETS_RENDERING, SHEETS_DONE = 0, 1, 2


def class_sheets_filename(job) -> str:
    school_class = job.school_class
    year = slugify(school_class.school_year.name.replace("/", "-"))
    return f"arkusze-ocen-{slugify(school_class.name)}-{year}.pdf"


def class_sheets_write(job, out: IO[bytes], progress: Progress) -> None:
    """Write the record sheets of the job's class (`sheets.class_sheets_pdf`, one
    section per pupil) to `out`, in steps: gathering the pupils, rendering, done.
    Always in the school's language: the sheet is a statutory document, whoever
    asked for it."""
    progress(SHEETS_GATHERING, SHEETS_DONE)
    if not sheets.class_sheet_pupils(job.school_class):
        raise ValueError(_("class %(name)s has no pupils") % {"name": job.school_class.name})
    progress(SHEETS_RENDERING, SHEETS_DONE)
    with override(settings.LANGUAGE_CODE):
        out.write(sheets.class_sheets_pdf(job.school_class))
    progress(SHEETS_DONE, SHEETS_DONE)
