"""The signed year-end archive (§ 22), under /dziennik/koniec-roku/archiwum/."""

from django.urls import path

from . import archive_views

app_name = "yearend_archive"

urlpatterns = [
    path("", archive_views.archive_index, name="index"),
    path("<int:school_pk>/", archive_views.archive_school, name="school"),
    path("<int:school_pk>/rok/<int:year_pk>/", archive_views.archive_start, name="start"),
    path("<int:school_pk>/<int:archive_pk>/", archive_views.archive_detail, name="detail"),
    path("<int:school_pk>/<int:archive_pk>/zip/", archive_views.archive_download, name="zip"),
    path("<int:school_pk>/<int:archive_pk>/sprawdz/", archive_views.archive_verify, name="verify"),
]
