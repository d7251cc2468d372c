"""The history of a lesson, in words."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .. import selectors
from ..permissions import (
    can_take_lesson,
    lessons_for,
)
from ._common import (
    _page,
)


@login_required
def lesson_history_view(request, pk: int):
    lesson = get_object_or_404(lessons_for(request.user).with_related(), pk=pk)
    if not can_take_lesson(request.user, lesson):
        raise Http404
    page = _page(request, selectors.lesson_history(lesson))
    selectors.describe_lesson_changes(lesson, page)
    return render(request, "register/history.html", {"lesson": lesson, "page": page})
