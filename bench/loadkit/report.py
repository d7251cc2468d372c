"""Percentiles and the tables of bench/load.py: per step and page kind, and the
highest rate the portal sustains."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

TARGET_P95_MS = 300.0
MIN_SAMPLES = 20


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of `values`; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Record:
    """One answer: its page kind, milliseconds from when it was due, and what went wrong."""

    kind: str
    ms: float
    error: str = ""


def summarise(records: list[Record], kinds: Sequence[str] = ()) -> dict[str, dict]:
    """Per page kind (`kinds` first, in that order) and for "all": requests,
    p50/p95/p99 in ms and errors, with up to three error texts as examples. Kinds
    without requests are left out."""
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(record.kind, []).append(record)
    order = [k for k in kinds if k in groups] + sorted(set(groups) - set(kinds))
    summary = {}
    for name, rows in [(k, groups[k]) for k in order] + [("all", records)]:
        if not rows:
            continue
        times = [r.ms for r in rows]
        errors = [r.error for r in rows if r.error]
        summary[name] = {
            "requests": len(rows),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "p99_ms": percentile(times, 99),
            "errors": len(errors),
            "error_examples": sorted(set(errors))[:3],
        }
    return summary


def step_passes(step: dict, target_ms: float = TARGET_P95_MS, per_kind: bool = False) -> bool:
    """No errors, and the p95 of all requests under the target; `per_kind`: the p95 of
    every page kind with at least MIN_SAMPLES requests too (of fewer, the p95 is the
    slowest one or two, which on a shared machine says more about the neighbours)."""
    rows = step["kinds"]
    if "all" not in rows or rows["all"]["errors"]:
        return False
    checked = [rows["all"]]
    if per_kind:
        checked += [v for k, v in rows.items() if k != "all" and v["requests"] >= MIN_SAMPLES]
    return all(v["p95_ms"] < target_ms for v in checked)


def highest_sustained(
    steps: list[dict], target_ms: float = TARGET_P95_MS, per_kind: bool = False
) -> float | None:
    """The highest offered rate whose step passed (a lower step may have failed: a
    neighbour's burst of work, not the rate, is the likely cause, and the table shows it)."""
    passed = [step["offered"] for step in steps if step_passes(step, target_ms, per_kind)]
    return max(passed, default=None)


def far_past_target(step: dict, target_ms: float = TARGET_P95_MS) -> bool:
    """Worth stopping the ramp: the server is saturated, higher rates only queue."""
    total = step["kinds"]["all"]
    return total["p95_ms"] > 5 * target_ms or total["errors"] > 0.01 * total["requests"]


def ms_text(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0f}"


def format_step(step: dict) -> str:
    lines = [
        f"offered {step['offered']:g}/s, achieved {step['achieved']:.1f}/s over "
        f"{step['duration']:g} s; client CPU {step['client_cpu']:.0%} of one core; "
        f"{step.get('cores_busy', math.nan):.1f} cores busy, "
        f"{step.get('cores_others', math.nan):.1f} of them by other work than the bench",
        "  server CPU per request: "
        + ", ".join(f"{k} {v:.0f} ms" for k, v in step.get("server_cpu_ms", {}).items()),
        f"  {'page kind':18} {'requests':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}",
    ]
    for name, row in step["kinds"].items():
        flag = "" if name == "all" or row["p95_ms"] < TARGET_P95_MS else "  > target"
        times = " ".join(f"{ms_text(row[p]):>6}" for p in ("p50_ms", "p95_ms", "p99_ms"))
        lines.append(f"  {name:18} {row['requests']:8} {times} {row['errors']:6}{flag}")
        lines.extend(f"      {text}" for text in row["error_examples"])
    return "\n".join(lines)


def rate_text(rate: float | None) -> str:
    return "none of the steps" if rate is None else f"{rate:g} req/s"


def format_summary(steps: list[dict], target_ms: float = TARGET_P95_MS) -> str:
    lines = [
        f"{'offered/s':>9} {'achieved/s':>10} {'p50':>5} {'p95':>5} {'p99':>6} {'errors':>6} "
        f"{'CPU ms/req':>10} {'passed':>6}  slowest page kind (p95)"
    ]
    for step in steps:
        total = step["kinds"]["all"]
        kinds = {k: v for k, v in step["kinds"].items() if k != "all"}
        slowest = max(kinds, key=lambda k: kinds[k]["p95_ms"]) if kinds else "-"
        slow_ms = ms_text(kinds[slowest]["p95_ms"]) if kinds else "-"
        cpu = sum(step.get("server_cpu_ms", {}).values())
        lines.append(
            f"{step['offered']:9g} {step['achieved']:10.1f} {ms_text(total['p50_ms']):>5} "
            f"{ms_text(total['p95_ms']):>5} {ms_text(total['p99_ms']):>6} {total['errors']:6} "
            f"{cpu:10.0f} {'yes' if step_passes(step, target_ms) else 'no':>6}  "
            f"{slowest} ({slow_ms} ms)"
        )
    best = highest_sustained(steps, target_ms)
    every_kind = highest_sustained(steps, target_ms, per_kind=True)
    lines += [
        f"highest rate sustained (p95 < {target_ms:g} ms, no errors): {rate_text(best)}",
        f"  with every page kind's p95 < {target_ms:g} ms too (kinds of {MIN_SAMPLES}+ "
        f"requests): {rate_text(every_kind)}",
    ]
    return "\n".join(lines)
