"""The README's promises and the project's housekeeping stay true."""

import re
import subprocess
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_readme_states_the_two_setup_commands_and_the_makefile_has_them():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run:", "test:"):
        assert re.search(rf"^{target}", makefile, re.M), target
    # `make -n` parses the Makefile and shows the recipes without running them
    for target in ("run", "test"):
        result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert (
        "seed_demo"
        in subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True).stdout
    )


def test_readme_lists_every_demo_account():
    from portal.demo import DEMO_ACCOUNTS

    readme = (ROOT / "README.md").read_text()
    for username in DEMO_ACCOUNTS:
        assert username in readme


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_requirement_is_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line or line.startswith("-r"):
                continue
            assert "==" in line, f"{name}: {line} is not pinned"


def po_files():
    return sorted(ROOT.glob("*/locale/pl/LC_MESSAGES/django.po")) + sorted(
        ROOT.glob("locale/pl/LC_MESSAGES/django.po")
    )


def test_there_is_a_polish_catalogue():
    assert po_files()


@pytest.mark.parametrize("path", po_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_polish_catalogue_is_complete(path):
    catalogue = polib.pofile(str(path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, untranslated[:10]
    assert not fuzzy, fuzzy[:10]
