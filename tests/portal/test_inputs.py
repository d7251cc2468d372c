"""portal.inputs: ids from the query string and forms, search words, and the NUL
byte guard. A value that is not an id is a 400 (crafted request) or a form error
in Polish (a form), never a server error."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django import forms
from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import translation

from portal.inputs import (
    MAX_ID,
    IdField,
    IdMultipleChoiceField,
    RejectNulMiddleware,
    id_from,
    id_list_param,
    id_param,
    parse_id,
    search_words,
)
from portal.models import School
from tests.factories import SchoolFactory

NOT_IDS = [
    "abc",
    "-1",
    "0",
    "000",
    "1.5",
    "1e3",
    " 1",
    "1 ",
    "+1",
    "0x10",
    "1_000",
    "²",  # a digit to str.isdigit, not to int
    "١٢",  # Arabic-Indic digits: int() reads them, no link of the portal writes them
    "'\"<>",
    "2026-02-31",
    str(MAX_ID + 1),
    "99999999999999999999",
    pytest.param("9" * 5000, id="5000 digits"),  # beyond int()'s digit limit
]


@pytest.mark.parametrize("value", NOT_IDS)
def test_parse_id_refuses_what_is_not_an_id(value):
    assert parse_id(value) is None


@pytest.mark.parametrize(
    ("value", "number"), [("1", 1), ("42", 42), ("007", 7), (str(MAX_ID), MAX_ID), (5, 5)]
)
def test_parse_id_reads_ids(value, number):
    assert parse_id(value) == number


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_every_id_of_a_64_bit_column_round_trips(number):
    assert parse_id(str(number)) == number


@given(st.text())
def test_any_text_is_an_id_in_range_or_none(text):
    number = parse_id(text)
    assert number is None or (1 <= number <= MAX_ID and str(number) == text.lstrip("0"))


def test_id_param_missing_or_empty_is_none():
    assert id_param(QueryDict(""), "pupil") is None
    assert id_param(QueryDict("pupil="), "pupil") is None
    assert id_param(QueryDict("pupil=12"), "pupil") == 12


@pytest.mark.parametrize("value", NOT_IDS)
def test_id_param_answers_400_for_junk(value):
    data = QueryDict(mutable=True)
    data["pupil"] = value
    with pytest.raises(BadRequest):
        id_param(data, "pupil")


def test_id_list_param():
    assert id_list_param(QueryDict(""), "copy") == []
    assert id_list_param(QueryDict("copy=3&copy=1&copy=3&copy="), "copy") == [3, 1]
    with pytest.raises(BadRequest):
        id_list_param(QueryDict("copy=3&copy=abc"), "copy")
    with pytest.raises(BadRequest):
        id_list_param(QueryDict("copy=99999999999999999999"), "copy")


def test_id_from_a_field_name():
    assert id_from("12", "g-12-3") == 12
    with pytest.raises(BadRequest):
        id_from("99999999999999999999", "g-99999999999999999999-3")


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ('"', []),
        ("'\"<>", []),
        ('"Ślubowanie klas" OR (NOT 1a)*', ["Ślubowanie", "klas", "OR", "NOT", "1a"]),
        ("a-b_c:d^e", ["a", "b", "c", "d", "e"]),
        ("2026/27 ¿żółw?", ["2026", "27", "żółw"]),
    ],
)
def test_search_words_keeps_letters_and_digits_only(typed, words):
    assert search_words(typed) == words


# --- Form fields --------------------------------------------------------------------------


class LibraryForm(forms.Form):
    library = IdField(required=False)


def test_id_field():
    assert LibraryForm({"library": " 12 "}).is_valid()
    form = LibraryForm({"library": "12"})
    assert form.is_valid() and form.cleaned_data["library"] == 12
    form = LibraryForm({"library": ""})
    assert form.is_valid() and form.cleaned_data["library"] is None


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "²"])
def test_id_field_gives_a_form_error_in_polish(value):
    with translation.override("pl"):
        form = LibraryForm({"library": value})
        assert not form.is_valid()
        assert form.errors["library"] == ["Wybierz jedną z podanych możliwości."]


class SchoolsForm(forms.Form):
    schools = IdMultipleChoiceField(queryset=School.objects.all(), required=False)


@pytest.mark.django_db
def test_id_multiple_choice_field_takes_ids_of_its_queryset():
    first, second = SchoolFactory(), SchoolFactory()
    form = SchoolsForm({"schools": [str(first.pk), str(second.pk)]})
    assert form.is_valid() and set(form.cleaned_data["schools"]) == {first, second}
    form = SchoolsForm({"schools": [str(second.pk + 1000)]})
    assert not form.is_valid()
    assert form.errors.as_data()["schools"][0].code == "invalid_choice"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "²"])
def test_id_multiple_choice_field_refuses_junk_before_any_query(value, django_assert_num_queries):
    school = SchoolFactory()
    with translation.override("pl"), django_assert_num_queries(0):
        form = SchoolsForm({"schools": [str(school.pk), value]})
        assert not form.is_valid()
        assert form.errors["schools"] == ["Wybierz tylko spośród podanych możliwości."]


def test_django_own_field_would_let_the_number_reach_sqlite(db):
    """The negative control: why IdMultipleChoiceField exists."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL compares a bigint with any numeric; SQLite cannot bind it")
    field = forms.ModelMultipleChoiceField(queryset=School.objects.all())
    with pytest.raises(OverflowError):
        field.clean(["99999999999999999999"])


def test_teaching_group_form_uses_the_id_field():
    from portal.forms import TeachingGroupForm

    assert type(TeachingGroupForm.base_fields["pupils"]) is IdMultipleChoiceField


# --- NUL bytes ----------------------------------------------------------------------------


def _through_middleware(request):
    return RejectNulMiddleware(lambda request: "passed")(request)


@pytest.mark.parametrize(
    "request_",
    [
        RequestFactory().get("/szukaj/\x00/"),
        RequestFactory().get("/szukaj/", {"q": "a\x00b"}),
        RequestFactory().get("/szukaj/", {"q\x00": "a"}),
        RequestFactory().post("/dziennik/uwagi/nowa/", {"text": "\x00"}),
        RequestFactory().post("/dziennik/uwagi/nowa/", {"text": ["ok", "\x00"]}),
    ],
    ids=["path", "query value", "query name", "form value", "second value"],
)
def test_a_nul_byte_is_a_400(request_):
    with pytest.raises(BadRequest):
        _through_middleware(request_)


def test_a_request_without_nul_passes():
    assert _through_middleware(RequestFactory().get("/szukaj/", {"q": "żółw"})) == "passed"
    assert _through_middleware(RequestFactory().post("/", {"text": "ok"})) == "passed"


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/szukaj/%00/", {}),
        ("get", "/szukaj/", {"q": "\x00"}),
        ("post", "/konto/login/", {"login": "\x00", "password": "x"}),
    ],
)
def test_the_portal_answers_400_to_a_nul_byte(client, db, method, url, data):
    assert getattr(client, method)(url, data).status_code == 400


def test_the_middleware_comes_before_anything_that_reads_the_request(settings):
    middleware = settings.MIDDLEWARE
    position = middleware.index("portal.inputs.RejectNulMiddleware")
    for later in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    ):
        assert middleware.index(later) > position
