"""Promotion decisions and exam retakes, under /dziennik/koniec-roku/promocja/
(included by `urls.py` into the `yearend` namespace)."""

from django.urls import path

from . import promotion_views as views

urlpatterns = [
    path("szkola/<int:school_pk>/", views.promotion_school, name="promotion_school"),
    path("klasa/<int:class_pk>/", views.promotion_class, name="promotion_class"),
    path(
        "klasa/<int:class_pk>/uczen/<int:pupil_pk>/",
        views.promotion_decision,
        name="promotion_decision",
    ),
    path(
        "klasa/<int:class_pk>/zatwierdz-wychowawca/",
        views.promotion_confirm_homeroom,
        name="promotion_confirm_homeroom",
    ),
    path(
        "klasa/<int:class_pk>/zatwierdz-szkola/",
        views.promotion_confirm_school,
        name="promotion_confirm_school",
    ),
    path(
        "klasa/<int:class_pk>/uczen/<int:pupil_pk>/poprawkowy/",
        views.promotion_retake,
        name="promotion_retake",
    ),
]
