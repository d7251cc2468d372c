from django.urls import path

from . import export_views

app_name = "yearend"

urlpatterns: list = [
    # the register's XML/JSON export (§ 21 ust. 4a)
    path("eksport/", export_views.export_index, name="export_index"),
    path("eksport/<int:school_pk>/", export_views.export_school, name="export"),
    path(
        "eksport/<int:school_pk>/klasa/<int:class_pk>/<str:fmt>/",
        export_views.export_class,
        name="export_class",
    ),
    path(
        "eksport/<int:school_pk>/rok/<int:year_pk>/<str:fmt>/",
        export_views.export_school_start,
        name="export_school_start",
    ),
    path(
        "eksport/<int:school_pk>/plik/<int:job_pk>/",
        export_views.export_job_file,
        name="export_job_file",
    ),
]
