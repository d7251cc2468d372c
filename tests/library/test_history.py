"""A record's change history keeps who changed it after their account is gone."""

from django.urls import reverse

from library import editor, marc, services
from portal.models import actor_label
from tests.factories import UserFactory
from tests.factories.library import record_create


def test_the_history_still_names_a_cataloguer_whose_account_was_deleted(world, login):
    record = record_create("Stary tytuł", school=world.a.school)
    cataloguer = UserFactory(username="a-volunteer", first_name="Ewa", last_name="Nowak")
    text = editor.to_text(marc.from_stored(record.marc)).replace("Stary tytuł", "Nowy tytuł")
    # The volunteer cataloguer is a superuser for the test, so the rule lets them edit.
    cataloguer.is_superuser = True
    cataloguer.save()
    services.record_save_marc(user=cataloguer, text=text, record=record)
    name = actor_label(cataloguer)

    cataloguer.delete()

    change = record.changes.get(action="edited")
    assert change.actor_id is None and change.actor_name == name == "Ewa Nowak (a-volunteer)"
    assert change.before != change.after
    page = login(world.a.librarian).get(reverse("library:record_history", args=[record.pk]))
    assert page.status_code == 200 and "Ewa Nowak (a-volunteer)" in page.text
