"""Shared by the regression tests of issue 11 ("no server error from input"): a
case sends junk where a page sends an id, expects a 400 (or a 404, or a form
error), then sends what the page sends and expects it still to work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

# Not an id: a word, a negative number, beyond a 64-bit column, a digit to
# str.isdigit but not to int, a decimal.
JUNK_IDS = ["abc", "-1", "99999999999999999999", "²", "1.5"]
# Junk in a field's name (`g-<assessment>-<pupil>`): a name of other characters is
# no field of the form and is ignored; digits that are no id are a 400.
JUNK_IN_NAMES = ["99999999999999999999", "١٢"]


@dataclass
class Case:
    who: str  # the user: a dotted path in the test's objects ("a.teacher")
    method: str
    url: Callable  # objects -> address
    data: Callable  # (objects, value) -> query or form data
    valid: Callable  # objects -> the value a page sends
    status: int  # the answer to the valid value
    done: Callable | None = None  # objects -> whether the valid value did its work
    junk_status: int = 400
    junk: list[str] = field(default_factory=lambda: list(JUNK_IDS))


def junk_params(cases: dict[str, Case]) -> list:
    """(case name, junk) for pytest.mark.parametrize, each case with its own junk."""
    return [
        pytest.param(name, junk, id=f"{name}-{junk}")
        for name, case in cases.items()
        for junk in case.junk
    ]


def check_case(login, objects, case: Case, junk: str) -> None:
    user = objects
    for name in case.who.split("."):
        user = getattr(user, name)
    client = login(user)
    send = getattr(client, case.method)
    response = send(case.url(objects), case.data(objects, junk))
    assert response.status_code == case.junk_status, (junk, response.status_code)
    response = send(case.url(objects), case.data(objects, case.valid(objects)))
    assert response.status_code == case.status
    assert case.done is None or case.done(objects)
