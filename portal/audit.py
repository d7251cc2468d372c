"""One audit trail for the portal: a helper to record a change with who, when,
before, after and why, and read auditing of pupils' data by staff.

Apps keep their own history tables where those serve their screens (grade history
beside each cell, the register's change list, the MARC editor's versions); all of
them extend `portal.models.AuditEntry`, so each row has the same shape."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.utils import timezone

from .models import AuditEvent, ReadAccess, School, actor_label

_READS_ATTR = "_portal_read_audit"


def jsonable(value):
    """A value as it can be stored in a JSON column and shown again."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def snapshot(obj: models.Model | None, fields: Iterable[str]) -> dict | None:
    """The named fields of `obj` as a JSON-safe dict (foreign keys by id)."""
    if obj is None:
        return None
    result = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            pks = getattr(obj, name).values_list("pk", flat=True) if obj.pk else []
            result[name] = sorted(pks)
            continue
        attname = getattr(field, "attname", name)
        result[name] = jsonable(getattr(obj, attname))
    return result


def model_fields(model: type[models.Model], *, exclude: Iterable[str] = ()) -> list[str]:
    """The names of a model's stored fields for `snapshot`: not its id, nor the
    timestamps Django keeps itself (auto_now), which change on every save."""
    skip = set(exclude)
    return [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key
        and f.name not in skip
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


def stored_snapshot(obj: models.Model, fields: Iterable[str]) -> dict | None:
    """`snapshot` of the row as the database holds it (a bound form has usually
    changed `obj` already); None for an object not saved yet."""
    if obj.pk is None:
        return None
    return snapshot(type(obj)._default_manager.filter(pk=obj.pk).first(), fields)


def changed(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the keys whose values differ (both sides), for compact history rows."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after.keys() | before.keys() if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in sorted(keys)}, {k: after.get(k) for k in sorted(keys)}


def audit_record(
    *,
    actor,
    category: str,
    action: str,
    target: models.Model | None = None,
    school: School | int | None = None,
    person=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    only_changes: bool = True,
) -> AuditEvent | None:
    """Write one row of the audit trail. With `only_changes` a change whose
    before and after are equal writes nothing and returns None."""
    if only_changes and before is not None and after is not None:
        before, after = changed(before, after)
        if not before and not after:
            return None
    school_id = school.pk if isinstance(school, School) else school
    actor = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor=actor,
        actor_name=actor_label(actor),
        category=category,
        action=action,
        school_id=school_id,
        person=person,
        before=jsonable(before),
        after=jsonable(after),
        reason=str(reason)[:500],
    )
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        event.target_id = target.pk
        event.target_repr = str(target)[:300]
    event.save()
    return event


def audited_save(obj: models.Model, *, actor, category: str, name: str, school, fields, save=None):
    """Save `obj` (through `save()` when given, e.g. a form's or a service's) and
    record what changed in it as `<name>.create` or `<name>.update` (an update
    that changes none of `fields` writes no row). Both sides are read back from
    the database, so "0.5" and "0.50" agree."""
    before = stored_snapshot(obj, fields)
    obj = save() if save is not None else (obj.save() or obj)
    audit_record(
        actor=actor,
        category=category,
        action=f"{name}.update" if before is not None else f"{name}.create",
        target=obj,
        school=school,
        before=before,
        after=stored_snapshot(obj, fields),
    )
    return obj


def audited_delete(obj: models.Model, *, actor, category: str, name: str, school, fields):
    """Delete `obj`, recording its last state as `<name>.delete`."""
    audit_record(
        actor=actor,
        category=category,
        action=f"{name}.delete",
        target=obj,
        school=school,
        before=snapshot(obj, fields),
    )
    obj.delete()


def history_row(model: type[models.Model], *, actor, **fields) -> models.Model:
    """An unsaved row of a per-app history table (an `AuditEntry`), with the
    actor's name kept beside the id; for callers that `bulk_create` (which
    skips `save()`) as much as for single rows."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return model(actor=actor, actor_name=actor_label(actor), **fields)


def fill_actor_names(model, user_model) -> None:
    """Data migration step: copy each actor's name into `actor_name` of the
    existing rows of a history table (one UPDATE per distinct actor)."""
    actor_ids = model.objects.filter(actor__isnull=False).values("actor_id").distinct()
    for user in user_model.objects.filter(pk__in=actor_ids):
        full = f"{user.first_name} {user.last_name}".strip()
        name = f"{full} ({user.username})" if full else user.username
        model.objects.filter(actor_id=user.pk, actor_name="").update(actor_name=name[:300])


# --- Read auditing ------------------------------------------------------------------


def note_read(request, *, pupil, what: str, school: School | int | None = None) -> None:
    """Remember that the signed-in staff member opened `pupil`'s data of kind
    `what` (ReadAccess.What). Nothing is written here: `ReadAuditMiddleware`
    writes the request's rows in one INSERT after the response is made.
    Guardians and pupils reading their own family's data are not audited."""
    from .permissions import user_roles

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or pupil is None:
        return
    pupil_id = pupil if isinstance(pupil, int) else pupil.pk
    roles = user_roles(user)
    if pupil_id == user.pk or pupil_id in roles.child_ids or not roles.is_staff_member:
        return
    school_id = school.pk if isinstance(school, School) else school
    pending = request.__dict__.setdefault(_READS_ATTR, {})
    pending.setdefault((pupil_id, what), school_id)


def note_reads(request, *, pupils: Iterable, what: str, school=None) -> None:
    for pupil in pupils:
        note_read(request, pupil=pupil, what=what, school=school)


def flush_reads(request) -> int:
    """Write the reads noted during the request (one query); returns how many."""
    pending = request.__dict__.pop(_READS_ATTR, None)
    if not pending:
        return 0
    _insert_reads(request.user, request.path[:300], pending)
    return len(pending)


#: Rows per INSERT of read-audit rows on SQLite (7 parameters each, far below its limit).
_READS_PER_INSERT = 500


def _insert_reads(actor, path: str, pending: dict) -> None:
    """Write `pending` ((pupil_id, what) -> school_id) as ReadAccess rows of `actor`
    on this request's page, all stamped now. Written on the cursor: a grade sheet
    notes 35 reads on every GET, and building 35 model instances and bulk_create's
    statement cost more than the write (issue 20). PostgreSQL gets the rows as three
    arrays (one statement of a fixed size; psycopg binds parameters on the client, so
    the cost of a statement grows with their number), SQLite as multi-row VALUES."""
    meta = ReadAccess._meta
    connection = connections[router.db_for_write(ReadAccess)]
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("actor_id", "actor_name", "path", "at", "pupil_id", "school_id", "what")
    )
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) "
    fixed = [
        actor.pk,
        actor_label(actor)[:300],
        path,
        connection.ops.adapt_datetimefield_value(timezone.now()),
    ]
    rows = [(pupil_id, school_id, what) for (pupil_id, what), school_id in pending.items()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                head + "SELECT %s, %s, %s, %s, u.* FROM UNNEST(%s::bigint[], %s::bigint[],"
                " %s::varchar[]) AS u",
                [*fixed, *(list(column) for column in zip(*rows, strict=True))],
            )
            return
        for start in range(0, len(rows), _READS_PER_INSERT):
            chunk = rows[start : start + _READS_PER_INSERT]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(head + "VALUES " + values, [x for row in chunk for x in (*fixed, *row)])


class ReadAuditMiddleware:
    """Writes the read-audit rows a view noted, once per request, only for
    successful responses (a 404 disclosed nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400:
            flush_reads(request)
        else:
            request.__dict__.pop(_READS_ATTR, None)
        return response
