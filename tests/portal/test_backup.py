"""Backup and restore drill: the seeded demo is backed up, restored into an empty
database, and its row counts and register checksum are compared."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from portal import backup

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def file_storage(settings, tmp_path):
    """Uploaded files on disk (the tests' default is in memory)."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    from django.core.files.storage import storages

    storages._storages = {}
    storages.backends  # noqa: B018  (re-read the settings)
    yield media
    storages._storages = {}


def seed_demo():
    """Two schools with grades and attendance (the full demo's CMS part needs Wagtail's
    root page, which a transactional test's flush removes)."""
    from gradebook.register.models import Attendance
    from tests.conftest import build_school_world
    from tests.factories.gradebook import AssessmentFactory
    from tests.factories.register import LessonFactory

    for name in ("a", "b"):
        world = build_school_world(name)
        AssessmentFactory(assignment=world.assignment)
        lesson = LessonFactory(assignment=world.assignment)
        Attendance.objects.create(lesson=lesson, pupil=world.pupil, status="p")


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.dev", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_demo_backed_up_and_restored_into_an_empty_postgresql_database(file_storage, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: pg_dump and pg_restore")
    seed_demo()
    (file_storage / "register" / "homework").mkdir(parents=True)
    (file_storage / "register" / "homework" / "zadanie.pdf").write_bytes(b"%PDF-1.4 test")
    counts = backup.row_counts()
    checksum = backup.register_checksum()
    assert counts["register_attendance"] > 0 and counts["gradebook_assessment"] > 0

    archive = backup.backup_create(output_dir=tmp_path / "backups", log=lambda _: None)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    manifest = backup.read_manifest(archive)
    assert manifest["row_counts"] == counts
    assert manifest["register_checksum"] == checksum

    settings_dict = connection.settings_dict
    target = f"{settings_dict['NAME']}_restored"
    admin_url = (
        f"postgresql://{settings_dict['USER'] or 'postgres'}@{settings_dict['HOST']}:"
        f"{settings_dict['PORT'] or 5432}/postgres"
    )
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        restored_media = tmp_path / "restored-media"
        target_url = (
            f"postgres://{settings_dict['USER'] or 'postgres'}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT'] or 5432}/{target}"
        )
        result = manage(
            "restore",
            str(archive),
            "--yes",
            env={"DATABASE_URL": target_url, "MEDIA_ROOT": str(restored_media)},
        )
        assert result.returncode == 0, result.stderr
        assert "Restored and verified" in result.stdout
        assert (restored_media / "register" / "homework" / "zadanie.pdf").read_bytes() == (
            b"%PDF-1.4 test"
        )
        # Checked independently of the command's own verification.
        with psycopg.connect(target_url.replace("postgres://", "postgresql://")) as restored:
            for table in ("register_attendance", "gradebook_assessment", "portal_user"):
                (count,) = restored.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
                assert count == counts[table], table
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_and_a_changed_register_is_noticed(file_storage, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's online backup")
    from tests.conftest import build_school_world
    from tests.factories.gradebook import AssessmentFactory

    world = build_school_world("a")
    assessment = AssessmentFactory(assignment=world.assignment)
    archive = backup.backup_create(output_dir=tmp_path, log=lambda _: None)
    manifest = backup.read_manifest(archive)

    # A change after the backup: restoring brings the backed-up state back...
    assessment.delete()
    result = backup.backup_restore(archive=archive, log=lambda _: None)
    assert result.ok, result
    assert backup.register_checksum() == manifest["register_checksum"]

    # ...and a verification against a different manifest says what differs.
    manifest["row_counts"]["gradebook_assessment"] += 1
    manifest["register_checksum"] = "0" * 64
    check = backup.verify(manifest)
    assert not check.ok
    assert check.counts_differ["gradebook_assessment"][0] == (
        check.counts_differ["gradebook_assessment"][1] + 1
    )


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db):
    junk = tmp_path / "junk.tar"
    with tarfile.open(junk, "w") as tar:
        data = json.dumps({"format": 99}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="unknown backup format"):
        call_command("restore", str(junk), "--yes", stdout=io.StringIO())
    (tmp_path / "plain.txt").write_text("hello")
    with pytest.raises(CommandError, match="not a portal backup"):
        call_command("restore", str(tmp_path / "plain.txt"), "--yes", stdout=io.StringIO())
