"""Grade e-mails (through the notification centre): one refused address never
stops the others, is recorded on its notification and sent by a later run;
nobody is told twice."""

from django.core import mail

from gradebook.models import TermGrade
from gradebook.services import TermGradeInput, term_grades_save
from gradebook.tasks import notify_term_grades, retry_grade_mail
from notifications.models import Notification
from notifications.tasks import deliver, flush
from portal.models import GuardianLink
from tests.factories import UserFactory
from tests.mailfail import refusing

GUARDIANS = ["opiekun0@example.org", "opiekun1@example.org", "opiekun2@example.org"]


def three_guardians(a):
    a.guardian.email = "opiekun0@example.org"
    a.guardian.save()
    a.pupil.email = ""
    a.pupil.save()
    for n in (1, 2):
        guardian = UserFactory(username=f"opiekun{n}", email=f"opiekun{n}@example.org")
        GuardianLink.objects.create(guardian=guardian, pupil=a.pupil)


def save_grade(a, kind, grade, capture):
    with capture(execute=True):
        [term_grade] = term_grades_save(
            assignment=a.assignment,
            term=a.term,
            user=a.teacher,
            entries=[TermGradeInput(a.pupil.pk, kind, grade)],
        )
    return term_grade


def mailed_to():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_refused_address_is_recorded_and_sent_by_the_next_run(
    gb, django_capture_on_commit_callbacks
):
    a = gb.a
    three_guardians(a)
    with refusing("opiekun1@example.org"):
        proposed = save_grade(a, TermGrade.Kind.PROPOSED, 4, django_capture_on_commit_callbacks)
    assert mailed_to() == ["opiekun0@example.org", "opiekun2@example.org"]
    guardians = Notification.objects.filter(recipient__email__in=GUARDIANS)
    assert guardians.count() == 3, "the portal notification reaches all three"
    failed = Notification.objects.get(recipient__username="opiekun1")
    assert failed.mail_status == "failed" and "SMTPRecipientsRefused" in failed.mail_error

    # The periodic run sends the failed e-mail again; the next grade its own.
    flush.call()
    save_grade(a, TermGrade.Kind.FINAL, 5, django_capture_on_commit_callbacks)
    assert mailed_to().count("opiekun1@example.org") == 2
    assert len(mail.outbox) == 2 + 1 + 3
    failed.refresh_from_db()
    assert failed.mail_status == "sent" and failed.mail_attempts == 2

    # Running a grade's notification or its delivery again, or the retry task,
    # sends nothing twice.
    notify_term_grades.call([proposed.pk])
    deliver.call(list(Notification.objects.values_list("pk", flat=True)))
    retry_grade_mail.call()
    flush.call()
    assert len(mail.outbox) == 6


def test_the_retry_gives_up_after_the_last_attempt(
    gb, django_capture_on_commit_callbacks, settings
):
    settings.MAIL_DELIVERY_MAX_ATTEMPTS = 2
    a = gb.a
    three_guardians(a)
    with refusing("opiekun2@example.org"):
        save_grade(a, TermGrade.Kind.PROPOSED, 3, django_capture_on_commit_callbacks)
        assert flush.call()["mail_failed"] == 1
        assert flush.call()["mail_failed"] == 0
    note = Notification.objects.get(recipient__username="opiekun2")
    assert note.mail_status == "failed" and note.mail_attempts == 2
