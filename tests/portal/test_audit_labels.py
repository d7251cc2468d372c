"""Every action the code writes to the audit trail reads in Polish words on the
audit trail page ("sprawa: złożono wniosek"), never as its code ("case: submit").

The action codes are read from the source: the literal `action="thing.verb"`
arguments, the `name=` of `audited_save`/`audited_delete` (thing.create, .update,
.delete) and the verbs handed to the apps' own `_audit` helpers; a new code or a
new family of codes fails here until it has its words."""

import pathlib
import re

import pytest

from django.utils import translation

from portal.models import AUDIT_ACTIONS, AuditEvent

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIP_DIRS = {"tests", "bench", ".venv", "node_modules", "migrations"}

LITERAL = re.compile(r'action=f?"([a-z_]+)\.([a-z_{}-]+)"')
CONDITIONAL = re.compile(r'action="([a-z_]+)\.([a-z_]+)" if .*? else "([a-z_]+)\.([a-z_]+)"')
NAMED = re.compile(r"audited_(save|delete)\((?:[^()]|\([^()]*\))*?name=\"([a-z_]+)\"", re.S)
HELPER_CALL = re.compile(r"(?<!def )_audit\(([^=]*?)(?:\w+=|\)\n)", re.S)
WORD = re.compile(r'"([a-z_]+)"')
# The apps' own helpers: the file, the thing their verbs belong to.
HELPERS = {
    "eservices/services.py": "case",
    "eservices/documents.py": "case",
    "gradebook/yearend/promotion.py": "promotion_decision",
}
# Codes built from a variable: the family and where its members are listed.
FAMILIES = {
    "year_archive": "AUDIT_ACTIONS",
    "register_export": "AUDIT_ACTIONS",
    "statutory_print": "AUDIT_ACTIONS",
    "infomat": ("on", "off"),
    "case": "HELPERS",
    "promotion_decision": "HELPERS",
}
# Words spelt the same in both languages.
SAME_IN_POLISH = {"import", "infomat", "status"}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP_DIRS:
            continue
        yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def action_codes() -> set[str]:
    codes = set(AUDIT_ACTIONS)
    for name, text in _sources():
        for thing, verb in LITERAL.findall(text):
            if "{" in thing + verb:
                assert thing in FAMILIES or thing == "{name}", f"{name}: {thing}.{verb}"
                family = FAMILIES.get(thing)
                if isinstance(family, tuple):
                    codes.update(f"{thing}.{v}" for v in family)
                continue
            codes.add(f"{thing}.{verb}")
        for a, b, c, d in CONDITIONAL.findall(text):
            codes.update({f"{a}.{b}", f"{c}.{d}"})
        for kind, thing in NAMED.findall(text):
            verbs = ("delete",) if kind == "delete" else ("create", "update")
            codes.update(f"{thing}.{verb}" for verb in verbs)
        if name in HELPERS:
            for args in HELPER_CALL.findall(text):
                codes.update(f"{HELPERS[name]}.{verb}" for verb in WORD.findall(args))
    return codes


def test_the_source_scan_finds_the_codes_it_should():
    """The scan itself: it finds codes of every kind it reads, so an empty or
    broken scan cannot pass the test below."""
    codes = action_codes()
    for code in (
        "trip.answer",  # literal
        "answer.create",  # conditional literal
        "loan_rule.update",  # audited_save
        "loan_rule.delete",  # audited_delete
        "case.submit",  # eservices' helper
        "case.document_issue",  # the helper in documents.py
        "case.note",  # `"note" if internal else "answer"`
        "case.answer",
        "promotion_decision.confirm_school",  # yearend's helper
        "infomat.on",  # a family listed here
    ):
        assert code in codes
    assert len(codes) > 80


@pytest.mark.parametrize("code", sorted(action_codes()))
def test_every_audit_action_reads_in_polish(code):
    with translation.override("pl"):
        label = AuditEvent(action=code).action_label
    with translation.override("en"):
        english = AuditEvent(action=code).action_label
    assert "_" not in label and "." not in label, label
    assert label != english or code in AUDIT_ACTIONS and label.split(":")[0] in SAME_IN_POLISH
    thing, _dot, verb = code.rpartition(".")
    for raw in {thing, verb} - SAME_IN_POLISH - {""}:
        assert not re.search(rf"\b{re.escape(raw)}\b", label), f"{code}: {label}"
