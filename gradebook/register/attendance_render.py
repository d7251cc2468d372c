"""The attendance screen's pupil list, built as one HTML string.

35 pupils × 6 status buttons through the template engine's nested loops cost most
of the page's rendering; here what depends only on a status (its radio button and
label, less the pupil's id) is formatted once per page and a row is a few joins.
The markup is the one the template produced, byte for byte (checked by diffing
both pages with the CSRF token masked): a fieldset per pupil whose legend is the
number and name, radio buttons with their labels, the other statuses behind
"Other", and the minutes field. `escape` is gradebook's (Django's without the
lazy-string check)."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..sheet_render import escape


def _buttons(statuses, indent: str, disabled: str) -> list[tuple[str, str, str, str]]:
    """Per status: its code, the radio's markup after the pupil's id, the markup
    after `checked` up to the label's pupil id, and the rest of the label."""
    return [
        (
            str(code),
            f'-{escape(code)}" value="{escape(code)}"',
            f'{disabled}>\n{indent}  <label for="s-',
            f'-{escape(code)}" class="status-{escape(code)}">{escape(label)}</label>\n{indent}',
        )
        for code, label in statuses
    ]


def attendance_rows_html(rows, *, common_statuses, other_statuses, disabled: bool) -> SafeString:
    """Every pupil's row of the attendance screen (the items of its list)."""
    off = " disabled" if disabled else ""
    common = _buttons(common_statuses, "        ", off)
    other = _buttons(other_statuses, "          ", off)
    other_codes = {str(code) for code, _label in other_statuses}
    other_word = escape(pgettext("attendance statuses", "Other"))
    minutes_word = escape(_("Minutes late"))
    minutes_off = "disabled" if disabled else ""

    def radios(buttons, pk: str, status: str, indent: str) -> str:
        return "".join(
            f'\n{indent}  <input type="radio" class="status" name="s-{pk}" id="s-{pk}{ident}'
            f"{' checked' if code == status else ''}{before_label}{pk}{label}"
            for code, ident, before_label, label in buttons
        )

    out = []
    for r in rows:
        pupil = r["pupil"]
        pk = str(pupil.pk)
        status = str(r["status"])
        name = escape(f"{pupil.last_name} {pupil.first_name}")
        number = r["number"]
        minutes = r["minutes_late"]
        out.append(
            f'\n    <li class="pupil-row" data-status="{escape(status)}" data-name="{name}">\n'
            "      <fieldset>\n"
            f'        <legend><span class="pupil-number">{f"{number}." if number else ""}</span>'
            f" {name}</legend>\n"
            '        <div class="status-buttons">\n        '
            f"{radios(common, pk, status, '        ')}\n"
            "        </div>\n"
            f'        <details class="more-statuses"{" open" if status in other_codes else ""}>\n'
            f"          <summary>{other_word}</summary>\n"
            '          <div class="status-buttons status-buttons-more">\n          '
            f"{radios(other, pk, status, '          ')}\n"
            "          </div>\n"
            "        </details>\n"
            f'        <p class="minutes-field"{"" if status == "s" else " hidden"}>\n'
            f'          <label for="m-{pk}">{minutes_word}</label>\n'
            f'          <input type="number" name="m-{pk}" id="m-{pk}" min="1" max="45" '
            'inputmode="numeric" class="minutes" '
            f'value="{"" if minutes is None else escape(minutes)}" {minutes_off}>\n'
            "        </p>\n"
            "      </fieldset>\n"
            "    </li>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308  (every value above is escaped)
