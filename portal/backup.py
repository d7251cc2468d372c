"""Backup and restore of the whole portal: the database and the uploaded files.

One archive (`.tar`) holds:
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3`
  (SQLite's online backup API: consistent while the portal runs);
- `files/<storage>/…`: the uploaded files of every file-system storage
  (public media and the private, permission-checked uploads);
- `manifest.json`: when, which engine, the applied migrations, the row count of
  every table and a checksum of the register tables, so that a restore can be
  verified (`restore` compares them and says what differs).

The regulation on electronic registers asks for protection from loss (§ 21) and for
the register's integrity; `docs/operations.md` schedules these commands.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, connections

# Apps whose tables make up the register: their checksum proves a restore complete.
REGISTER_APPS = ("gradebook", "register")
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in plain words."""


@dataclass
class Verification:
    """What a restore found compared with the manifest of its archive."""

    counts_differ: dict[str, tuple[int, int]] = field(default_factory=dict)
    checksum_before: str = ""
    checksum_after: str = ""

    @property
    def ok(self) -> bool:
        return not self.counts_differ and self.checksum_before == self.checksum_after


# --- What is in the database ------------------------------------------------------------


def table_names(using: str = "default") -> list[str]:
    with connections[using].cursor() as cursor:
        return sorted(connections[using].introspection.table_names(cursor))


def row_counts(using: str = "default") -> dict[str, int]:
    conn = connections[using]
    counts = {}
    with conn.cursor() as cursor:
        for table in table_names(using):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def register_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in REGISTER_APPS and not model._meta.proxy
    )


def register_checksum(using: str = "default") -> str:
    """SHA-256 over every row of the register tables, in primary-key order, column by
    column as the database returns them: equal after a faithful restore."""
    conn = connections[using]
    digest = hashlib.sha256()
    existing = set(table_names(using))
    with conn.cursor() as cursor:
        for table in register_tables():
            if table not in existing:
                continue
            digest.update(f"\x1e{table}\x1e".encode())
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)} ORDER BY 1")
            for row in cursor.fetchall():
                digest.update(repr(tuple(_stable(value) for value in row)).encode())
    return digest.hexdigest()


def _stable(value):
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def applied_migrations(using: str = "default") -> list[str]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


# --- Files -----------------------------------------------------------------------------


def file_storages() -> dict[str, Path]:
    """Every configured file-system storage with its directory (media and private)."""
    roots = {}
    for alias in settings.STORAGES:
        if alias == "staticfiles":
            continue
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            roots[alias] = Path(storage.location)
    return roots


# --- Backup ----------------------------------------------------------------------------


def database_settings(using: str = "default") -> dict:
    return connections[using].settings_dict


def pg_environment(db: dict) -> tuple[list[str], dict]:
    """Command-line arguments and environment for pg_dump/pg_restore."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict | None = None) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, env=env)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed on this machine.") from error
    except subprocess.CalledProcessError as error:
        message = error.stderr.decode(errors="replace").strip()
        raise BackupError(f"{command[0]} failed: {message}") from error


def dump_database(target_dir: Path, using: str = "default") -> str:
    db = database_settings(using)
    vendor = connections[using].vendor
    if vendor == "postgresql":
        args, env = pg_environment(db)
        path = target_dir / "database.dump"
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                *args,
                "--file",
                str(path),
                db["NAME"],
            ],
            env,
        )
        return path.name
    if vendor == "sqlite":
        path = target_dir / "database.sqlite3"
        connections[using].ensure_connection()
        source = connections[using].connection
        with sqlite3.connect(path) as destination:
            source.backup(destination)
        return path.name
    raise BackupError(f"Backups of {vendor} databases are not supported.")


def backup_create(*, output_dir: Path, using: str = "default", log=print) -> Path:
    """Write one archive with the database, the uploaded files and the manifest;
    return its path."""
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    archive = output_dir / f"portal-backup-{stamp}.tar"
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as work:
        work_dir = Path(work)
        log("database …")
        database_file = dump_database(work_dir, using)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "engine": connections[using].vendor,
            "database_file": database_file,
            "migrations": applied_migrations(using),
            "row_counts": row_counts(using),
            "register_checksum": register_checksum(using),
            "storages": {},
        }
        with tarfile.open(archive, "w") as tar:
            tar.add(work_dir / database_file, arcname=database_file)
            for alias, root in file_storages().items():
                count = 0
                if root.exists():
                    for path in sorted(root.rglob("*")):
                        if path.is_file():
                            tar.add(path, arcname=f"files/{alias}/{path.relative_to(root)}")
                            count += 1
                manifest["storages"][alias] = count
                log(f"files of '{alias}': {count}")
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
            with tempfile.TemporaryFile() as buffer:
                buffer.write(data)
                buffer.seek(0)
                tar.addfile(info, buffer)
    os.chmod(archive, 0o600)  # it holds every pupil's data
    return archive


# --- Restore ---------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive) as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest = json.load(member)
    except (OSError, KeyError, tarfile.TarError, json.JSONDecodeError) as error:
        raise BackupError(f"{archive} is not a portal backup ({error}).") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{archive} has an unknown backup format {manifest.get('format')}.")
    return manifest


def _safe_members(tar: tarfile.TarFile, prefix: str):
    for member in tar.getmembers():
        if member.name.startswith(prefix) and member.isfile():
            yield member


def restore_database(tar: tarfile.TarFile, manifest: dict, using: str = "default") -> None:
    vendor = connections[using].vendor
    if manifest["engine"] != vendor:
        raise BackupError(
            f"The archive holds a {manifest['engine']} database; this portal uses {vendor}."
        )
    db = database_settings(using)
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        tar.extract(manifest["database_file"], work, filter="data")
        source = Path(work) / manifest["database_file"]
        if vendor == "postgresql":
            args, env = pg_environment(db)
            connections[using].close()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    *args,
                    "--dbname",
                    db["NAME"],
                    str(source),
                ],
                env,
            )
        else:
            connections[using].ensure_connection()
            with sqlite3.connect(source) as backup:
                backup.backup(connections[using].connection)
    connections[using].close()


def restore_files(tar: tarfile.TarFile, manifest: dict) -> dict[str, int]:
    restored = {}
    roots = file_storages()
    for alias in manifest.get("storages", {}):
        root = roots.get(alias)
        if root is None:
            raise BackupError(f"The archive has files of storage '{alias}', not configured here.")
        prefix = f"files/{alias}/"
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True, exist_ok=True)
        count = 0
        for member in _safe_members(tar, prefix):
            member.name = member.name[len(prefix) :]
            # filter="data" refuses absolute paths, `..` and links leaving the folder.
            tar.extract(member, root, filter="data")
            count += 1
        restored[alias] = count
    return restored


def verify(manifest: dict, using: str = "default") -> Verification:
    now = row_counts(using)
    result = Verification(
        checksum_before=manifest["register_checksum"],
        checksum_after=register_checksum(using),
    )
    for table, count in manifest["row_counts"].items():
        if now.get(table) != count:
            result.counts_differ[table] = (count, now.get(table, -1))
    return result


def backup_restore(*, archive: Path, using: str = "default", log=print) -> Verification:
    """Replace the database and the uploaded files with the archive's, then compare
    the row counts and the register checksum with the manifest."""
    manifest = read_manifest(archive)
    with tarfile.open(archive) as tar:
        log("database …")
        restore_database(tar, manifest, using)
        for alias, count in restore_files(tar, manifest).items():
            log(f"files of '{alias}': {count}")
    connection.close()
    return verify(manifest, using)
