"""Factories for circulation tests."""

from __future__ import annotations

import itertools

from library.circulation.models import Copy, LoanRule
from library.circulation.services import reader_profile_for
from library.models import Record

_numbers = itertools.count(1)


def record_create(title="Pan Tadeusz") -> Record:
    # A bare record is enough for circulation (no search index needed).
    return Record.objects.create(marc={"leader": "", "fields": []}, title=title)


def copy_create(record, school, **kwargs) -> Copy:
    n = next(_numbers)
    defaults = {
        "barcode": f"T{n:07d}",
        "inventory_number": str(n),
        "shelf_mark": "82-3",
        "item_type": "book",
    }
    defaults.update(kwargs)
    return Copy.objects.create(record=record, school=school, **defaults)


def rule_create(school, **kwargs) -> LoanRule:
    return LoanRule.objects.create(school=school, **kwargs)


def card(user) -> str:
    return reader_profile_for(user).card_number
