"""The statutory printouts (included by urls.py under `wydruki/`, in the
`yearend` namespace)."""

from django.urls import path

from . import statutory_views

urlpatterns = [
    path("", statutory_views.statutory_index, name="statutory_index"),
    path("<int:school_pk>/", statutory_views.statutory_school, name="statutory"),
    path(
        "klasa/<int:class_pk>/dziennik/",
        statutory_views.statutory_register,
        name="statutory_register",
    ),
    path(
        "klasa/<int:class_pk>/frekwencja/<str:fmt>/",
        statutory_views.statutory_attendance,
        name="statutory_attendance",
    ),
    path(
        "<int:school_pk>/rok/<int:year_pk>/dzienniki/",
        statutory_views.statutory_batch_start,
        name="statutory_batch_start",
    ),
]
