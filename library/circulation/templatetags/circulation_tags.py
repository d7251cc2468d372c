"""The record page's copies box, included by the catalogue's record template."""

from django import template

from .. import rules, selectors
from ..forms import CopyBatchForm
from ..permissions import desk_schools

register = template.Library()


@register.inclusion_tag("circulation/record_copies.html", takes_context=True)
def record_circulation(context, record):
    request = context.get("request")
    user = getattr(request, "user", None)
    availability = selectors.availability(record)
    ctx = {
        "record": record,
        "availability": availability,
        "public_copies": selectors.public_copies(record) if availability else [],
        "hold_schools": [],
        "copies": None,
    }
    ctx["csrf_token"] = context.get("csrf_token")
    if user is None or not user.is_authenticated:
        return ctx
    full = {a.school_id for a in availability if a.available == 0 and a.total}
    if full:
        ctx["hold_schools"] = list(rules.reader_schools(user).filter(pk__in=full))
    schools = desk_schools(user)
    if schools.exists():
        ctx["copies"] = list(selectors.copies_of_record(record, schools)[:200])
        ctx["batch_form"] = CopyBatchForm(schools=schools)
        ctx["desk_schools"] = list(schools[:20])
    return ctx


@register.simple_tag
def attach_availability(records) -> str:
    """Give each record of a result page its `holdings` (per library: on the
    shelf, shelf marks, next due date), in two queries for the whole page."""
    records = list(records)
    holdings = selectors.availability_many(r.pk for r in records)
    for record in records:
        record.holdings = holdings.get(record.pk, [])
    return ""
