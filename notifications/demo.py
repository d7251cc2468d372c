"""Demo data of the notification centre for `seed_demo`: an unread notification
of each kind for `demo-parent`, about their child, leading to real pages.
Idempotent: each has a fixed event key."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import Kind
from .services import notify


def _child_links(parent):
    from gradebook.models import Grade
    from portal.models import GuardianLink

    link = GuardianLink.objects.filter(guardian=parent).select_related("pupil").first()
    if link is None:
        return None, {}
    child = link.pupil
    grade = (
        Grade.objects.filter(pupil=child)
        .select_related("assessment__term", "assessment__assignment__subject")
        .order_by("-created_at", "-pk")
        .first()
    )
    week = f"{reverse('register:week')}?pupil={child.pk}"
    urls = {
        Kind.GRADE: reverse("gradebook:pupil", args=[child.pk]),
        Kind.TERM_GRADE: reverse("gradebook:pupil", args=[child.pk]) + "?widok=tabela",
        Kind.ATTENDANCE: f"{reverse('register:pupil_absences')}?pupil={child.pk}",
        Kind.REMARK: f"{reverse('register:remarks')}?pupil={child.pk}",
        Kind.EXCUSE: reverse("register:excuses"),
        Kind.HOMEWORK: week,
        Kind.TEST: week,
        Kind.ANNOUNCEMENT: reverse("register:announcements"),
        Kind.MESSAGE: "/wiadomosci/",
        Kind.INTRANET: reverse("notifications:list"),
        Kind.LIBRARY: reverse("circulation:account_child", args=[child.pk]),
        Kind.ESERVICE: reverse("notifications:list"),
    }
    if grade is not None:
        from .producers import grade_url

        urls[Kind.GRADE] = grade_url(grade)
    return child, urls


def seed_notifications(ctx) -> None:
    from portal.models import User

    parent = User.objects.filter(username="demo-parent").first()
    if parent is None:
        return
    child, urls = _child_links(parent)
    if child is None:
        return
    name = child.first_name
    with override("pl"):
        titles = {
            Kind.GRADE: _("New grade: %(subject)s %(grade)s")
            % {"subject": "Matematyka", "grade": "5"},
            Kind.TERM_GRADE: _("%(pupil)s – %(subject)s: %(label)s %(value)s")
            % {
                "pupil": child.get_full_name(),
                "subject": "Język polski",
                "label": _("proposed grade"),
                "value": "4 (dobry)",
            },
            Kind.ATTENDANCE: _("Absent: %(pupil)s, %(subject)s on %(date)s (lesson %(number)s)")
            % {
                "pupil": name,
                "subject": "Przyroda",
                "date": ctx.today.strftime("%d.%m"),
                "number": 3,
            },
            Kind.REMARK: _("%(kind)s remark: %(pupil)s") % {"kind": "Pozytywna", "pupil": name},
            Kind.EXCUSE: _("Excuse accepted: %(pupil)s") % {"pupil": name},
            Kind.HOMEWORK: _("Homework in %(subject)s for %(date)s")
            % {"subject": "Matematyka", "date": ctx.today.strftime("%d.%m")},
            Kind.TEST: _("%(kind)s in %(subject)s on %(date)s")
            % {"kind": "Sprawdzian", "subject": "Historia", "date": ctx.today.strftime("%d.%m")},
            Kind.ANNOUNCEMENT: _("Announcement: %(title)s") % {"title": "Wycieczka do muzeum"},
            Kind.MESSAGE: "Nowa wiadomość od wychowawczyni",
            Kind.INTRANET: "Okólnik wydziału edukacji",
            Kind.LIBRARY: "Biblioteka: zbliża się termin zwrotu książki",
            Kind.ESERVICE: "Sprawa w e-usługach: zmiana statusu",
        }
    for kind, title in titles.items():
        notify(
            recipients=[parent],
            kind=kind,
            title=title,
            key=f"demo:{kind}",
            url=urls[kind],
            pupil=child,
        )
    ctx.log(f"notifications: {len(titles)} for demo-parent")
