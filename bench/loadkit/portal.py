"""The portal as installed, for the bench: a fresh database built by the deployment
commands, gunicorn and the task worker with production settings, an SMTP sink, and
what the background work did afterwards."""

from __future__ import annotations

import base64
import datetime
import json
import math
import os
import random
import secrets
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

from .browser import HOST, Browser, Failure
from .people import PASSWORD
from .report import percentile

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "bench_load"
LOG_DIR = ROOT / "var" / "bench" / "load-logs"
KEEP_DIR = ROOT / "var" / "bench" / "load-data"


class SmtpSink(socketserver.ThreadingTCPServer):
    """Accepts every message and counts it: the outgoing mail server of the evening."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.messages = 0
        self.lock = threading.Lock()
        super().__init__((HOST, 0), _SmtpSession)

    def received(self) -> None:
        with self.lock:
            self.messages += 1


class _SmtpSession(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 bench sink\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                self.server.received()
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def installation_keys(data_dir: Path) -> dict[str, str]:
    """SECRET_KEY and MFA_ENCRYPTION_KEY of this installation: new ones, or the ones a
    kept installation (--keep) wrote, since its sessions and secrets depend on them."""
    path = data_dir / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }
    path.write_text(json.dumps(keys))
    path.chmod(0o600)
    return keys


def portal_env(data_dir: Path, redis_db: int, smtp_port: int) -> dict[str, str]:
    """Production settings and the environment .env.example documents, for 127.0.0.1."""
    return {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        **installation_keys(data_dir),
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": PG_URL.rsplit("/", 1)[0] + f"/{DATABASE}",
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": f"redis://{HOST}:6379/{redis_db}",
        "TASK_BACKEND": "database",
        "TRUSTED_PROXIES": "127.0.0.1,::1",
        "PORTAL_VAR_DIR": str(data_dir),
        "MEDIA_ROOT": str(data_dir / "media"),
        "PRIVATE_MEDIA_ROOT": str(data_dir / "private"),
        "STATIC_ROOT": str(data_dir / "static"),
        "EMAIL_HOST": HOST,
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "LOG_LEVEL": "INFO",
    }


def admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def database_exists() -> bool:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return connection.execute(query, [DATABASE]).fetchone() is not None


def preflight(redis_db: int) -> None:
    """Stop with a plain message when PostgreSQL or Redis is not there."""
    import psycopg
    import redis

    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.Error as error:
        raise SystemExit(f"PostgreSQL at {PG_URL} is not reachable: {error}") from error
    try:
        redis.Redis(host=HOST, port=6379, db=redis_db, socket_timeout=5).ping()
    except redis.RedisError as error:
        raise SystemExit(f"Redis at {HOST}:6379 is not reachable: {error}") from error


def redis_flush(db: int) -> None:
    import redis

    redis.Redis(host=HOST, port=6379, db=db).flushdb()


def manage(*args: str, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, stdout=log, stderr=log, env=os.environ
    )


def build(scale: int) -> None:
    """A fresh database and static files, as the README's deployment steps make them."""
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
    with open(LOG_DIR / "build.log", "w") as log:
        began = time.perf_counter()
        static = manage("collectstatic", "--noinput", log=log)
        for args in (["migrate", "--noinput"], ["compiletranslations"]):
            if manage(*args, log=log).wait():
                raise SystemExit(f"manage.py {args[0]} failed: see {LOG_DIR / 'build.log'}")
        if static.wait():
            raise SystemExit(f"collectstatic failed: see {LOG_DIR / 'build.log'}")
        seed = manage("seed_demo", "--scale", str(scale), "--password", PASSWORD, log=log)
        if seed.wait():
            raise SystemExit(f"seed_demo failed: see {LOG_DIR / 'build.log'}")
    print(f"built in {time.perf_counter() - began:.0f} s (log: {LOG_DIR / 'build.log'})")


def prepare(parents: int, teachers: int, rng: random.Random) -> tuple[list[dict], ...]:
    """Pick the people, their pages and the teachers' lessons and sheets; give each
    teacher a TOTP authenticator (through allauth, encrypted as in production)."""
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from django.db.models import Exists, OuterRef
    from django.urls import reverse
    from django.utils import timezone

    from gradebook.models import Assessment
    from gradebook.register.selectors import teacher_slots
    from gradebook.register.services import entry_refusal
    from gradebook.selectors import current_term
    from portal.models import Enrolment, GuardianLink, Role, TeachingAssignment, User

    today = timezone.localdate()
    enrolled = Enrolment.objects.active_on(today).values_list("pupil_id", flat=True)
    links: dict[int, list[int]] = {}
    for guardian_id, pupil_id in (
        GuardianLink.objects.filter(pupil_id__in=enrolled, guardian__is_active=True)
        .order_by("guardian_id", "pupil_id")
        .values_list("guardian_id", "pupil_id")
    ):
        links.setdefault(guardian_id, []).append(pupil_id)
    chosen = rng.sample(sorted(links), min(parents, len(links)))
    names = dict(User.objects.filter(pk__in=chosen).values_list("pk", "username"))
    parent_specs = [
        {
            "username": names[pk],
            "dashboard": reverse("portal:dashboard"),
            "children": [
                {
                    "grades": reverse("gradebook:pupil", args=[child]),
                    "week": f"{reverse('register:week')}?pupil={child}",
                    "attendance": f"{reverse('register:pupil_stats')}?pupil={child}",
                }
                for child in links[pk]
            ],
        }
        for pk in chosen
    ]

    teacher_specs = []
    with_columns = Exists(
        Assessment.objects.filter(
            assignment=OuterRef("pk"), term__start__lte=today, term__end__gte=today
        )
    )
    staff = User.objects.filter(role_assignments__role=Role.TEACHER, is_active=True)
    candidates = sorted(staff.distinct(), key=lambda user: user.username)
    rng.shuffle(candidates)  # spread over the schools
    for teacher in candidates:
        sheet = (
            TeachingAssignment.objects.filter(
                teacher=teacher,
                group=None,
                school_class__level__gte=4,
                school_class__school_year__is_current=True,
            )
            .filter(with_columns)
            .select_related("school_class__school_year")
            .order_by("pk")
            .first()
        )
        slots = [
            s
            for s in teacher_slots(teacher, today - datetime.timedelta(days=14), today)
            if entry_refusal(assignment=s.assignment, day=s.date) is None
        ]
        if sheet is None or not slots:
            continue
        term = current_term(sheet.school_class.school_year)
        slot = max(slots, key=lambda s: (s.date, s.number))
        Authenticator.objects.filter(user=teacher, type=Authenticator.Type.TOTP).delete()
        secret = generate_totp_secret()
        TOTP.activate(teacher, secret)
        teacher_specs.append(
            {
                "username": teacher.username,
                "totp": secret,
                "lesson": reverse(
                    "register:lesson", args=[slot.assignment.pk, slot.date.isoformat(), slot.number]
                ),
                "sheet": f"{reverse('gradebook:sheet', args=[sheet.pk])}?term={term.pk}",
                "term": f"{reverse('gradebook:term_grades', args=[sheet.pk])}?term={term.pk}",
            }
        )
        if len(teacher_specs) == teachers:
            break
    if len(teacher_specs) < teachers:
        print(f"only {len(teacher_specs)} teachers have a lesson to enter and a grade sheet")
    urls = {
        "login": reverse("account_login"),
        "mfa": reverse("mfa_authenticate"),
        "search": reverse("library:search"),
    }
    return parent_specs, teacher_specs, urls


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat after the process name: state, ppid, ... utime (11), stime (12)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []  # gone meanwhile


def child_pids(parent: int) -> list[int]:
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    return [pid for pid in pids if (fields := _stat(pid)) and int(fields[1]) == parent]


def process_cpu(pids: list[int]) -> dict[int, float]:
    """User and system CPU seconds of each process that still exists."""
    per_second = os.sysconf("SC_CLK_TCK")
    found = {pid: _stat(pid) for pid in pids}
    return {pid: (int(f[11]) + int(f[12])) / per_second for pid, f in found.items() if f}


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds each group of processes used between two `Servers.cpu_seconds()`; a
    process started meanwhile counts whole, one that ended meanwhile is missed."""
    return {
        group: sum(secs - before.get(group, {}).get(pid, 0.0) for pid, secs in pids.items())
        for group, pids in after.items()
    }


class Servers:
    """gunicorn and the task worker, stopped (SIGTERM, then SIGKILL) whatever happens."""

    def __init__(self, workers: int, threads: int):
        self.port = free_port()
        self.logs = {
            name: open(LOG_DIR / f"{name}.log", "w")  # noqa: SIM115  (closed by stop())
            for name in ("gunicorn", "worker")
        }
        gunicorn = [
            str(Path(sys.executable).with_name("gunicorn")),
            "portal.wsgi:application",
            f"--bind={HOST}:{self.port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--timeout=60",
            # Other gunicorns of this machine use the default control socket path.
            "--no-control-socket",
        ]
        worker = [sys.executable, "manage.py", "task_worker", "--interval", "1"]
        self.processes = {}
        for name, command in (("gunicorn", gunicorn), ("worker", worker)):
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=os.environ,
                stdout=self.logs[name],
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the bench, which stops them in order
            )

    def wait_ready(self) -> None:
        from portal.background.models import WorkerHeartbeat

        browser, deadline = Browser("198.19.255.254"), time.monotonic() + 90
        Browser.port = self.port
        while True:
            self.check_alive()
            try:
                browser.request("GET", "/")
                if WorkerHeartbeat.objects.filter(stopped_at=None).exists():
                    return
            except Failure:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the portal did not start: see {LOG_DIR}")
            time.sleep(0.5)

    def cpu_seconds(self) -> dict[str, dict[int, float]]:
        """CPU time used so far by the web processes (gunicorn's master and workers), the
        task worker and the PostgreSQL backends serving the bench database: per request
        it says more than latency on a machine others use too."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            backends = [pid for (pid,) in cursor.fetchall()]
        master = self.processes["gunicorn"].pid
        return {
            "web": process_cpu([master, *child_pids(master)]),
            "postgres": process_cpu(backends),
            "worker": process_cpu([self.processes["worker"].pid]),
        }

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise SystemExit(f"{name} exited ({process.returncode}): see {LOG_DIR}/{name}.log")

    def stop(self) -> None:
        """SIGTERM (gunicorn finishes its requests, the worker its task), SIGKILL after
        40 s or at a second Ctrl-C."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        try:
            for process in self.processes.values():
                try:
                    process.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    process.kill()
        except KeyboardInterrupt:
            for process in self.processes.values():
                process.kill()
        for process in self.processes.values():
            process.wait()
        for log in self.logs.values():
            log.close()


def after_load(since, saves: dict[str, int], mails: int, wait_s: float = 120) -> dict:
    """Wait until the worker has run what the load queued (at most `wait_s`), then count
    the tasks by name and state, and the changes the saves recorded in the histories."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from django.db.models import Q
    from django.utils import timezone

    from gradebook.models import GradeHistory, Notification
    from gradebook.register.models import RegisterChange

    queued = DBTaskResult.objects.filter(enqueued_at__gte=since)
    due = Q(status=TaskResultStatus.READY, run_after__lte=timezone.now())
    due |= Q(status=TaskResultStatus.RUNNING)
    deadline = time.monotonic() + wait_s
    while queued.filter(due).exists() and time.monotonic() < deadline:
        time.sleep(1)
    tasks: dict[str, dict[str, int]] = {}
    for path, status in queued.values_list("task_path", "status"):
        states = tasks.setdefault(path.rsplit(".", 1)[-1], {})
        states[status] = states.get(status, 0) + 1
    waits = [
        (started - enqueued).total_seconds()
        for enqueued, started in queued.exclude(started_at=None).values_list(
            "enqueued_at", "started_at"
        )
    ]
    notes = Notification.objects.filter(created_at__gte=since)
    history = GradeHistory.objects.filter(at__gte=since)
    return {
        "tasks": tasks,
        "waiting_or_running": queued.filter(due).count(),
        "failed": queued.filter(status=TaskResultStatus.FAILED).count(),
        "deferred": queued.filter(status=TaskResultStatus.READY).exclude(due).count(),
        "queue_wait_p50_s": percentile(waits, 50),
        "queue_wait_max_s": max(waits, default=math.nan),
        "saves": saves,
        "grade_changes": history.filter(kind=GradeHistory.Kind.GRADE).count(),
        "term_grade_changes": history.filter(kind=GradeHistory.Kind.TERM).count(),
        "register_changes": RegisterChange.objects.filter(at__gte=since).count(),
        "notifications": notes.count(),
        "mails_sent": notes.filter(mail_status="sent").count(),
        "mails_received": mails,
    }


def background_ok(report: dict) -> bool:
    """Nothing left waiting, running or failed, and one notification run per term-grade save."""
    notified = report["tasks"].get("notify_term_grades", {}).get("SUCCESSFUL", 0)
    return (
        report["waiting_or_running"] == 0
        and report["failed"] == 0
        and notified == report["saves"].get("term grades save", 0)
    )


def saves_changed_data(report: dict) -> bool:
    """Each sheet save changed its three grades, each term-grade save its one grade, and
    each lesson save at least one register entry: no POST was a no-op."""
    saves = report["saves"]
    return (
        report["grade_changes"] == 3 * saves.get("grade sheet save", 0)
        and report["term_grade_changes"] == saves.get("term grades save", 0)
        and report["register_changes"] >= saves.get("lesson save", 0)
    )


def format_after_load(report: dict) -> str:
    tasks = "; ".join(
        f"{name} " + ", ".join(f"{state.lower()} {n}" for state, n in sorted(states.items()))
        for name, states in sorted(report["tasks"].items())
    )
    saves = report["saves"]
    return "\n".join(
        [
            f"background work: {'OK' if background_ok(report) else 'NOT OK'}",
            f"  tasks the load queued: {tasks or 'none'}",
            f"  at the end: waiting or running {report['waiting_or_running']}, failed "
            f"{report['failed']}, deferred {report['deferred']}; time in the queue median "
            f"{report['queue_wait_p50_s']:.1f} s, max {report['queue_wait_max_s']:.1f} s",
            f"  {saves.get('term grades save', 0)} term-grade saves: {report['notifications']} "
            f"guardians notified (a value told before is not told again), "
            f"{report['mails_sent']} e-mails sent, {report['mails_received']} received",
            f"  saves changed data: {'yes' if saves_changed_data(report) else 'NO'}: "
            f"{report['grade_changes']} grades by "
            f"{saves.get('grade sheet save', 0)} sheet saves, {report['term_grade_changes']} "
            f"term grades, {report['register_changes']} register entries by "
            f"{saves.get('lesson save', 0)} lesson saves",
        ]
    )


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used since boot (/proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    )
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    memory = next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))
    return {"cpus": os.cpu_count(), "cpu": cpu, "ram_gib": round(int(memory) / 2**20, 1)}
