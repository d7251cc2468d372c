"""The intranet's demo seed: a circular, a request answered by one school, a
post; a second run changes nothing."""

import datetime
from types import SimpleNamespace

from intranet.demo import seed_intranet
from intranet.models import Circular, CircularRecipient, DataRequest, Post, RequestAnswer


def _ctx(world):
    return SimpleNamespace(
        accounts={"demo-officer": world.officer, "demo-schooladmin": world.a.admin},
        schools=[world.a.school, world.b.school],
        today=datetime.date(2026, 3, 18),
        log=lambda message: None,
    )


def test_seed_is_complete_and_idempotent(clock, world):
    seed_intranet(_ctx(world))
    counts = [m.objects.count() for m in (Circular, CircularRecipient, DataRequest, Post)]
    assert counts == [1, 2, 1, 1]
    answer = RequestAnswer.objects.get()
    assert answer.school == world.a.school and answer.answered_by == world.a.admin
    assert DataRequest.objects.get().fields.count() == 4
    seed_intranet(_ctx(world))
    assert [m.objects.count() for m in (Circular, CircularRecipient, DataRequest, Post)] == counts
    assert RequestAnswer.objects.count() == 1
