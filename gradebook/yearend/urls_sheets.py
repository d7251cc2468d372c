"""The record sheets' URLs, included by urls.py under arkusze/ in the yearend
namespace (yearend:sheets, yearend:sheets_school, ...)."""

from django.urls import path

from . import sheets_views

urlpatterns = [
    path("", sheets_views.sheets_index, name="sheets"),
    path("<int:school_pk>/", sheets_views.sheets_school, name="sheets_school"),
    path("klasa/<int:class_pk>/", sheets_views.sheets_class, name="sheets_class"),
    path("klasa/<int:class_pk>/pdf/", sheets_views.sheets_class_pdf, name="sheets_class_pdf"),
    path(
        "klasa/<int:class_pk>/w-tle/",
        sheets_views.sheets_class_job_start,
        name="sheets_class_job_start",
    ),
    path(
        "klasa/<int:class_pk>/w-tle/<int:job_pk>/",
        sheets_views.sheets_class_job_file,
        name="sheets_class_job_file",
    ),
    path(
        "klasa/<int:class_pk>/uczen/<int:pupil_pk>/pdf/",
        sheets_views.sheets_pupil_pdf,
        name="sheets_pupil_pdf",
    ),
]
