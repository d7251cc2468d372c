from django.urls import path

from . import views

app_name = "register"

urlpatterns = [
    path("lekcje/", views.day_view, name="day"),
    path("lekcje/braki/", views.missing_view, name="missing"),
    path("lekcje/nowa/", views.lesson_add_view, name="lesson_add"),
    path("lekcje/<int:pk>/historia/", views.lesson_history_view, name="lesson_history"),
    path(
        "lekcje/<int:assignment_id>/<str:date>/<int:number>/",
        views.lesson_view,
        name="lesson",
    ),
    path("plan/", views.lesson_plan_view, name="lesson_plan"),
    path("plan/<int:class_id>/", views.timetable_view, name="timetable"),
    path("ustawienia/<int:school_id>/", views.settings_view, name="settings"),
    path("frekwencja/", views.stats_view, name="stats"),
    path("frekwencja/uczen/", views.pupil_stats_view, name="pupil_stats"),
    path("frekwencja/uczen/nieobecnosci/", views.pupil_absences_view, name="pupil_absences"),
    path("usprawiedliwienia/", views.excuses_view, name="excuses"),
    path("usprawiedliwienia/nowe/", views.excuse_new_view, name="excuse_new"),
    path("usprawiedliwienia/<int:pk>/decyzja/", views.excuse_decide_view, name="excuse_decide"),
    path("uwagi/", views.remarks_view, name="remarks"),
    path("uwagi/nowa/", views.remark_new_view, name="remark_new"),
    path("uwagi/<int:pk>/edycja/", views.remark_edit_view, name="remark_edit"),
    path("uwagi/<int:pk>/przeczytane/", views.remark_acknowledge_view, name="remark_ack"),
    path("zadania/", views.homework_view, name="homework"),
    path("zadania/<int:pk>/zalacznik/", views.homework_attachment_view, name="homework_file"),
    path("zadania/<int:pk>/", views.homework_edit_view, name="homework_edit"),
    path("sprawdziany/", views.tests_view, name="tests"),
    path("sprawdziany/<int:pk>/", views.test_edit_view, name="test_edit"),
    path("ogloszenia/", views.announcements_view, name="announcements"),
    path("ogloszenia/nowe/", views.announcement_new_view, name="announcement_new"),
    path("ogloszenia/<int:pk>/", views.announcement_view, name="announcement"),
    path("tydzien/", views.week_view, name="week"),
    path("kalendarz/", views.calendar_view, name="calendar"),
    path("ical/<str:token>.ics", views.ical_view, name="ical"),
]
