from django.urls import include, path

from . import export_views, views

app_name = "yearend"

urlpatterns = [
    path("", views.index, name="index"),
    path("klasyfikacja/<int:school_pk>/", views.school_summary, name="school"),
    path("klasyfikacja/<int:school_pk>/csv/", views.school_csv, name="school_csv"),
    path("klasyfikacja/<int:school_pk>/pdf/", views.school_pdf, name="school_pdf"),
    path("klasyfikacja/klasa/<int:class_pk>/", views.class_summary, name="class"),
    path("klasyfikacja/klasa/<int:class_pk>/csv/", views.class_csv, name="class_csv"),
    path("klasyfikacja/klasa/<int:class_pk>/pdf/", views.class_pdf, name="class_pdf"),
    # the pupils' record sheets (arkusze ocen)
    path("arkusze/", include("gradebook.yearend.urls_sheets")),
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
    path("promocja/", include("gradebook.yearend.urls_promotion")),
    # the statutory printouts: the register and the attendance report as PDF
    path("wydruki/", include("gradebook.yearend.urls_statutory")),
]
