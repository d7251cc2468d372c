"""The week view's five days of lessons, built as one HTML string.

Thirty slots through the template engine (each a dozen look-ups and tests, the
number localised twice) were most of the page's rendering; here a slot is one
f-string. The markup is the template's, byte for byte (checked by diffing both
pages): a card per day labelled by its heading, the lessons as an ordered list
numbered by lesson number, the pupil's attendance as a worded badge."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..sheet_render import escape

BADGES = {"p": "badge-ok", "n": "badge-bad"}


def _slot(slot, iso: str) -> str:
    topic = slot.topic
    mark = slot.mark
    badge = ""
    if mark:
        late = f" ({mark.minutes_late} min)" if mark.minutes_late else ""
        badge = (
            f'<br><span class="badge {BADGES.get(mark.status, "badge-warn")}">'
            f"{escape(mark.label)}{late}</span>"
        )
    return (
        f'\n      <li value="{slot.number}" id="lekcja-{iso}-{slot.number}">'
        f"<strong>{escape(slot.assignment.subject.name)}</strong>"
        f"{f': {escape(topic)}' if topic else ''}\n        {badge}</li>\n    "
    )


def week_days_html(days) -> SafeString:
    """The cards of `selectors.pupil_week`'s days."""
    no_lessons = f'<p class="muted">{escape(_("No lessons."))}</p>'
    out = []
    for counter, d in enumerate(days, 1):
        slots = d["slots"]
        lessons = (
            "<ol>" + "".join(_slot(s, d["iso"]) for s in slots) + "</ol>" if slots else no_lessons
        )
        out.append(
            f'\n  <section class="card" aria-labelledby="day-{counter}">\n'
            f'    <h2 id="day-{counter}">{escape(date_format(d["date"], "l j.m"))}</h2>\n'
            f"    {lessons}\n  </section>\n"
        )
    return mark_safe("".join(out))  # noqa: S308  (every value above is escaped)
