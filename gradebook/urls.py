from django.urls import path

from . import views

app_name = "gradebook"

urlpatterns = [
    path("", views.home, name="home"),
    path("przydzial/<int:pk>/", views.sheet, name="sheet"),
    path("przydzial/<int:pk>/kolumna/", views.assessment_edit, name="assessment_add"),
    path(
        "przydzial/<int:pk>/kolumna/<int:assessment_pk>/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path("przydzial/<int:pk>/okresowe/", views.term_grades, name="term_grades"),
    path(
        "przydzial/<int:pk>/okresowe/przepisz/",
        views.term_grades_copy,
        name="term_grades_copy",
    ),
    path("przydzial/<int:pk>/historia/", views.history, name="history"),
    path("klasa/<int:pk>/", views.class_register, name="class"),
    path("klasa/<int:pk>/zachowanie/", views.behaviour, name="behaviour"),
    path("uczen/<int:pk>/", views.pupil, name="pupil"),
    path("powiadomienia/", views.notifications, name="notifications"),
    path("szkola/<int:pk>/ustawienia/", views.school_settings, name="settings"),
    path(
        "szkola/<int:pk>/kategorie/<int:category_pk>/usun/",
        views.category_delete,
        name="category_delete",
    ),
    path("szkola/<int:pk>/okresy/<int:term_pk>/", views.term_status, name="term_status"),
]
