"""Contact-form messages sent with a person's e-mail address, for the portal's
data-protection duties; registered in CmsConfig.ready()."""

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from wagtail.contrib.forms.models import FormSubmission

from portal.privacy.export import fmt_dt, table


def _submissions(person):
    email = (person.email or "").strip().lower()
    if not email:
        return []
    candidates = (
        FormSubmission.objects.annotate(text=Cast("form_data", TextField()))
        .filter(text__icontains=email)
        .select_related("page")
        .order_by("submit_time")
    )
    return [
        s for s in candidates if any(str(v).strip().lower() == email for v in s.form_data.values())
    ]


def export_person(person) -> list[dict]:
    return [
        table(
            _("Contact form messages"),
            [_("Sent"), _("Form"), _("Content")],
            [
                [
                    fmt_dt(s.submit_time),
                    s.page.title,
                    "; ".join(f"{k}: {v}" for k, v in s.form_data.items()),
                ]
                for s in _submissions(person)
            ],
        )
    ]


def anonymise_person(person) -> dict[str, int]:
    ids = [s.pk for s in _submissions(person)]
    return {"contact_messages": FormSubmission.objects.filter(pk__in=ids).delete()[0]}
