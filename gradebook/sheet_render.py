"""The grade sheet's head and body, built as HTML strings.

A 35 × 40 sheet has 1,400 cells; rendering them through the template engine
costs ~250 ms, string building a few. The markup is the one the template
produced (byte for byte): a labelled input and the hidden value the teacher saw.

What depends only on a column (its label text, the inputs' name prefix) or only
on a symbol (its escaped form) is built once per sheet, so a cell is a few
dictionary look-ups and one f-string. `html.escape` is what Django's `escape`
calls, without the lazy-string check that cost more than the escaping."""

from __future__ import annotations

from html import escape as _escape

from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import TermGrade


def escape(value) -> str:
    """Django's `escape` without its lazy-string check (the same output): the
    check cost more than the escaping over a sheet's thousands of values."""
    return _escape(str(value))


class ShortDates(dict):
    """A date's short format, formatted once per date and render (one
    `date_format` costs more than a chip's whole f-string)."""

    def __missing__(self, day):
        from django.utils.formats import date_format

        value = self[day] = date_format(day, "SHORT_DATE_FORMAT")
        return value


ROW = (
    "\n      <tr>\n"
    '        <th scope="row" class="col-pupil"><a href="{link}pupil={pupil_id}">{name}</a></th>\n'
    "        {cells}\n"
    '        <td class="col-end col-average">{average}</td>\n'
    '        <td class="col-end col-suggested">{suggested}</td>\n'
    '        <td class="col-end col-proposed">{proposed}</td>\n'
    '        <td class="col-end col-final">{final}</td>\n'
    "      </tr>\n    "
)

HEAD = (
    '\n          <th scope="col" class="assessment-head">\n'
    '            <span class="category-dot" style="background:{colour}" aria-hidden="true">'
    "</span>\n"
    '            <a href="{link}column={pk}">{name}</a>\n'
    "            <br><small>{category} · {w} {weight}{notes}<br>{date}</small>\n"
    "          </th>\n        "
)


ERROR_CELL = '<td class="cell-error">'


def sheet_link(path: str, term, day) -> str:
    """The sheet's own address with its term and day, ready for one more parameter."""
    return escape(f"{path}?term={term.pk}&day={day:%Y-%m-%d}&")


def sheet_head_html(*, assessments, link: str) -> SafeString:
    """The column headers: name (a link to the column's entry page), category,
    weight, whether it counts and improves, and the date."""
    w = escape(_("w."))
    not_counted = f" · {escape(_('not counted'))}"
    improvement = f" · {escape(_('improvement'))}"
    parts = []
    for a in assessments:
        notes = ("" if a.counts_to_average else not_counted) + (
            improvement if a.improves_id else ""
        )
        parts.append(
            HEAD.format(
                colour=escape(a.category.colour),
                link=link,
                pk=a.pk,
                name=escape(a.name),
                category=escape(a.category.name),
                w=w,
                weight=a.weight,
                notes=notes,
                date=f"{a.date:%d.%m}",
            )
        )
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)


def _or_dash(value) -> str:
    return "–" if value is None else escape(localize(value))


def _term_grade(grades: dict, kind) -> str:
    grade = grades.get(kind)
    return "" if grade is None or grade.grade is None else escape(localize(grade.grade))


def sheet_body_html(
    *,
    rows,
    assessments,
    link: str,
    editable: bool,
    typed: dict,
    posted_originals,
    cell_errors: dict,
) -> SafeString:
    """Every pupil's row: name, cells, average, suggested, proposed and final grade.
    No per-cell history link: 180 of them made the sheet a 400-stop Tab trap; the
    pupil's and the column's entry pages link the history."""
    columns = [
        (a.pk, f"g-{a.pk}-", f"o-{a.pk}-", f", {escape(a.name)}</label>") for a in assessments
    ]
    symbols: dict[str, str] = {}

    def esc(text: str) -> str:
        found = symbols.get(text)
        if found is None:
            found = symbols[text] = escape(text)
        return found

    out = []
    for row in rows:
        pupil_id = row.pupil.pk
        pupil_name = escape(row.pupil.sort_name)
        parts = []
        for (aid, g_prefix, o_prefix, label_end), (_assessment, grade) in zip(
            columns, row.cells, strict=True
        ):
            saved = grade.symbol if grade else ""
            key = (aid, pupil_id)
            error = cell_errors.get(key) if cell_errors else None
            if not editable:
                parts.append(f"{ERROR_CELL if error else '<td>'}{esc(saved)}</td>")
                continue
            name = f"{g_prefix}{pupil_id}"
            orig_name = f"{o_prefix}{pupil_id}"
            if typed:
                value = typed.get(key, saved)
                original = posted_originals.get(orig_name, saved)
            else:
                value = original = saved
            invalid = f' aria-invalid="true" aria-describedby="err-{name}"' if error else ""
            parts.append(
                (ERROR_CELL if error else "<td>")
                + f'<label class="visually-hidden" for="{name}">{pupil_name}{label_end}'
                f'<input id="{name}" name="{name}" value="{esc(value)}" size="3" '
                f'maxlength="4" autocomplete="off" class="grade-input"{invalid}>'
                f'<input type="hidden" name="{orig_name}" value="{esc(original)}">'
                + ('<span class="badge badge-bad" aria-hidden="true">!</span>' if error else "")
                + "</td>"
            )
        out.append(
            ROW.format(
                link=link,
                pupil_id=pupil_id,
                name=pupil_name,
                cells="".join(parts),
                average=_or_dash(row.average),
                suggested=_or_dash(row.suggested),
                proposed=_term_grade(row.term_grades, TermGrade.Kind.PROPOSED),
                final=_term_grade(row.term_grades, TermGrade.Kind.FINAL),
            )
        )
    return mark_safe("".join(out))  # noqa: S308  (every value above is escaped)


def grade_chips_html(grades) -> SafeString:
    """The parent/pupil view's grade chips (a child may have hundreds of grades)."""
    days = ShortDates()
    weight = escape(_("weight"))
    not_counted = escape(_("not counted"))
    improvement = escape(_("improvement"))
    new = escape(_("new"))
    teachers: dict[int, str] = {}
    parts = []
    for g in grades:
        a = g.assessment
        teacher = teachers.get(g.teacher_id)
        if teacher is None:
            teacher = teachers[g.teacher_id] = escape(g.teacher.get_full_name())
        extra = ""
        if not a.counts_to_average:
            extra += f" · {not_counted}"
        if g.improves_id:
            extra += f" · {improvement}"
        description = f"<br>{escape(a.description)}" if a.description else ""
        parts.append(
            f'<li class="grade-chip{" is-new" if g.is_new else ""}" '
            f'style="border-color:{escape(a.category.colour)}">'
            f'<strong class="grade-symbol">{escape(g.symbol)}</strong>'
            f'<span class="grade-meta">{escape(a.name)} · {escape(a.category.name)} · '
            f"{weight} {a.weight}{extra}<br>{days[a.date]} · "
            f"{teacher}{description}</span>"
            + (f'<span class="badge badge-ok">{new}</span>' if g.is_new else "")
            + "</li>"
        )
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)
