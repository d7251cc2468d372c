from django.urls import path

from . import rollover_views as views

app_name = "yearend_rollover"

urlpatterns = [
    path("", views.rollover_index, name="index"),
    path("<int:school_pk>/", views.rollover_year, name="year"),
    path("<int:school_pk>/klasy/", views.rollover_classes, name="classes"),
    path("<int:school_pk>/podglad/", views.rollover_preview, name="preview"),
    path("<int:school_pk>/zastosuj/", views.rollover_apply, name="apply"),
    path("<int:school_pk>/lata/", views.school_years, name="years"),
    path("<int:school_pk>/lata/<int:year_pk>/zamknij/", views.school_year_close, name="close"),
    path("<int:school_pk>/lata/<int:year_pk>/otworz/", views.school_year_reopen, name="reopen"),
]
