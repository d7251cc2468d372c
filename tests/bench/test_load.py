"""The pure parts of bench/load.py (its package bench/loadkit/): the form reader,
cookies, percentiles, the report and the teachers' changes. Nothing here starts a
server or times anything."""

import math
import random

import pytest
from loadkit import browser, drive, people, report

PAGE = """
<form method="get" class="filters"><input name="term" value="7"></form>
<form method="post" class="grade-sheet-form">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
  <input type="hidden" name="term" value="7">
  <input id="g-5-10" name="g-5-10" value="3+" size="3"><input type="hidden" name="o-5-10"
    value="3+">
  <input type="checkbox" name="remember">
  <input type="checkbox" name="notify" checked>
  <input type="text" name="locked" value="x" disabled>
  <select name="s-10" class="status"><option value="p">obecny</option>
    <option value="n" selected>nieobecny</option></select>
  <select name="s-11"><option value="p">obecny</option><option value="n">nieobecny</option></select>
  <textarea name="desc">
Czyta &quot;płynnie&quot;</textarea>
  <button type="submit" name="save">Zapisz</button><input type="submit" name="go" value="Go">
</form>
"""


def test_form_fields_are_what_a_browser_submits_from_the_marked_form():
    assert browser.form_fields(PAGE, 'name="g-') == [
        ("csrfmiddlewaretoken", "tok&en"),
        ("term", "7"),
        ("g-5-10", "3+"),
        ("o-5-10", "3+"),
        ("notify", "on"),
        ("s-10", "n"),
        ("s-11", "p"),
        ("desc", 'Czyta "płynnie"'),
    ]


def test_form_fields_without_the_marked_form_say_so():
    with pytest.raises(ValueError, match="no form"):
        browser.form_fields(PAGE, 'name="proposed-')


def test_cookie_jar_keeps_replaces_and_deletes_cookies():
    jar = browser.CookieJar()
    jar.update(
        [
            ("Set-Cookie", "csrftoken=abc; Path=/; Secure; SameSite=Lax"),
            ("Set-Cookie", "sessionid=s1; HttpOnly; Path=/; Secure"),
            ("Content-Type", "text/html"),
        ]
    )
    assert jar.header() == "csrftoken=abc; sessionid=s1"
    jar.update([("set-cookie", "sessionid=s2; Path=/")])
    jar.update([("Set-Cookie", 'csrftoken=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0')])
    assert jar.values == {"sessionid": "s2"}


def test_percentile_is_the_nearest_rank():
    values = [7, 1, 10, 3, 2, 9, 4, 8, 6, 5]
    assert report.percentile(values, 50) == 5
    assert report.percentile(values, 90) == 9
    assert report.percentile(values, 95) == 10
    assert report.percentile(values, 99) == 10
    assert report.percentile([42], 95) == 42
    assert math.isnan(report.percentile([], 50))


def test_summary_counts_each_page_kind_its_errors_and_all_requests():
    records = [report.Record("grades", ms) for ms in (100, 200, 300)]
    records += [report.Record("dashboard", 50), report.Record("dashboard", 70, "GET /panel/: 502")]
    summary = report.summarise(records)
    assert list(summary) == ["dashboard", "grades", "all"]
    assert summary["dashboard"]["errors"] == 1
    assert summary["dashboard"]["error_examples"] == ["GET /panel/: 502"]
    assert summary["grades"]["p50_ms"] == 200
    assert summary["all"]["requests"] == 5
    assert summary["all"]["p99_ms"] == 300


def _step(rate, all_p95, worst_kind_p95, errors=0, worst_kind_requests=20):
    kinds = {
        "dashboard": {"requests": worst_kind_requests, "p95_ms": worst_kind_p95, "errors": errors},
        "grades": {"requests": 20, "p95_ms": 50, "errors": 0},
        "all": {"requests": 40, "p95_ms": all_p95, "errors": errors},
    }
    return {"offered": rate, "kinds": kinds}


def test_a_step_passes_with_no_errors_and_p95_under_the_target():
    assert report.step_passes(_step(5, 299, 400))
    assert not report.step_passes(_step(5, 300, 100))
    assert not report.step_passes(_step(5, 100, 100, errors=1))
    assert not report.step_passes(_step(5, 100, 400), per_kind=True)
    # a page kind with fewer than 20 requests: its p95 is its slowest request
    assert report.step_passes(_step(5, 100, 400, worst_kind_requests=19), per_kind=True)


def test_highest_sustained_rate_is_the_highest_step_that_passed():
    steps = [_step(2, 350, 350), _step(5, 100, 200), _step(10, 250, 400), _step(20, 900, 900)]
    assert report.highest_sustained(steps) == 10
    assert report.highest_sustained(steps, per_kind=True) == 5
    assert report.highest_sustained([_step(5, 100, 100, errors=1)]) is None


def test_far_past_target_is_a_saturated_step():
    assert not report.far_past_target(_step(10, 400, 400))
    assert report.far_past_target(_step(10, 1600, 1600))
    assert report.far_past_target(_step(10, 100, 100, errors=1))


def test_arrivals_are_a_poisson_stream_at_the_offered_rate():
    times = drive.arrivals(50, 200, random.Random(1))
    assert times == sorted(times) and times[0] > 0 and times[-1] < 200
    assert abs(len(times) - 10_000) < 400  # four standard deviations


def _teacher():
    return people.Teacher({"address": "198.18.0.1", "username": "t"}, random.Random(1))


def test_a_sheet_save_changes_three_cells_of_the_first_column_only():
    fields = [("csrfmiddlewaretoken", "t"), ("term", "1")]
    for column in (5, 6):
        for pupil, symbol in ((10, "4"), (11, ""), (12, "5-"), (13, "3")):
            fields += [(f"g-{column}-{pupil}", symbol), (f"o-{column}-{pupil}", symbol)]
    changed = dict(_teacher()._sheet_changes(fields))
    assert {k: v for k, v in changed.items() if changed[k] != dict(fields)[k]} == {
        "g-5-10": "5",
        "g-5-11": "4",
        "g-5-12": "4",
    }
    assert changed["o-5-10"] == "4"  # the originals stay what the page showed


def test_a_lesson_save_flips_three_pupils_and_the_topic():
    fields = [("topic", "")] + [(f"s-{pupil}", "p") for pupil in range(1, 6)] + [("m-1", "")]
    changed = _teacher()._lesson_changes(fields)
    assert [v for n, v in changed if n.startswith("s-")] == ["n", "n", "n", "p", "p"]
    assert dict(changed)["topic"] in people.Teacher.TOPICS


def test_a_term_grades_save_changes_the_first_proposal():
    fields = [("term", "1"), ("proposed-3", "4"), ("final-3", ""), ("proposed-4", "")]
    assert _teacher()._proposal_changes(fields) == [
        ("term", "1"),
        ("proposed-3", "5"),
        ("final-3", ""),
        ("proposed-4", ""),
    ]


def test_people_start_at_a_random_page_of_their_round_but_never_at_a_save():
    rng = random.Random(2)
    spec = {"address": "198.18.0.1", "children": [{}, {}], "dashboard": "/panel/"}
    assert {people.Parent(spec, rng).turn for _ in range(200)} == set(range(8))
    teachers = [people.Teacher({"address": "198.18.0.2"}, rng) for _ in range(100)]
    assert {people.TEACHER_KINDS[t.turn % 6] for t in teachers} == {
        "lesson",
        "grade sheet",
        "term grades",
    }


def test_cpu_used_counts_new_processes_whole_and_never_goes_negative():
    from loadkit.portal import cpu_used

    before = {"web": {10: 1.0, 11: 2.0}, "postgres": {20: 5.0, 21: 9.0}}
    after = {"web": {10: 1.5, 11: 2.25, 12: 0.5}, "postgres": {20: 5.5}}  # 21 ended
    assert cpu_used(before, after) == {"web": 1.25, "postgres": 0.5}
