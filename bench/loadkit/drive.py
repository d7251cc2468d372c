"""The open-loop driver: Poisson arrivals at an offered rate, handed to idle people."""

from __future__ import annotations

import queue
import random
import threading
import time

from .browser import GIVE_UP_S, Failure
from .people import KINDS, Person
from .report import Record, summarise


def arrivals(rate: float, duration: float, rng: random.Random) -> list[float]:
    """Poisson arrival times (seconds from the start) at `rate` per second."""
    times, at = [], rng.expovariate(rate)
    while at < duration:
        times.append(at)
        at += rng.expovariate(rate)
    return times


def run_step(pools: dict, mix: dict, rate: float, duration: float, rng, threads: int) -> dict:
    """Offer `rate` requests/s for `duration` s (open loop) and summarise the answers."""
    jobs: queue.Queue = queue.Queue()
    records: list[Record] = []
    finished: list[float] = []
    roles, weights = list(mix), list(mix.values())

    def work():
        while (job := jobs.get()) is not None:
            due, role = job
            person = pools[role].get()
            try:
                kind, call = person.act()
                if time.perf_counter() - due > GIVE_UP_S:
                    records.append(Record(kind, (time.perf_counter() - due) * 1000, "not sent"))
                    continue
                error = ""
                try:
                    call()
                except Failure as failure:
                    error = str(failure)
                except Exception as failure:  # a bug of the bench must not stop its thread
                    error = f"bench: {type(failure).__name__}: {failure}"
                records.append(Record(kind, (time.perf_counter() - due) * 1000, error))
                finished.append(time.perf_counter())
            finally:
                pools[role].put(person)

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    cpu, start = time.process_time(), time.perf_counter() + 0.2
    for at in arrivals(rate, duration, rng):
        delay = start + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        jobs.put((start + at, rng.choices(roles, weights)[0]))
    for _ in workers:
        jobs.put(None)
    for worker in workers:
        worker.join()
    elapsed = max(duration, (max(finished) - start) if finished else duration)
    return {
        "offered": rate,
        "duration": duration,
        "achieved": len(finished) / elapsed,
        "client_cpu": (time.process_time() - cpu) / elapsed,
        "kinds": summarise(records, KINDS),
    }


def sign_in_all(people: list[Person], urls: dict, threads: int = 4) -> dict:
    """Everyone through the login form (and teachers through the second factor), a few at
    a time as password hashing is the slow part; stop the bench if anyone cannot."""
    records: list[Record] = []
    failures: list[str] = []
    todo: queue.Queue = queue.Queue()
    for person in people:
        todo.put(person)

    def work():
        while True:
            try:
                person = todo.get_nowait()
            except queue.Empty:
                return
            try:
                records.extend(person.sign_in(urls))
            except (Failure, ValueError) as error:
                failures.append(f"{person.spec['username']}: {error}")

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise SystemExit("sign-in failed:\n  " + "\n  ".join(failures[:10]))
    return summarise(records, ["sign-in", "second factor"])
