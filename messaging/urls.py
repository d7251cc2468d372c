from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("wyslane/", views.sent_view, name="sent"),
    path("archiwum/", views.archive_view, name="archive"),
    path("nowa/", views.compose_view, name="compose"),
    path("odbiorcy/", views.recipients_view, name="recipients"),
    path("watek/<int:pk>/", views.thread_view, name="thread"),
    path("watek/<int:pk>/archiwum/", views.thread_archive_view, name="thread_archive"),
    path("wiadomosc/<int:pk>/wycofaj/", views.message_retract_view, name="retract"),
    path("wiadomosc/<int:pk>/zglos/", views.message_report_view, name="report"),
    path("zalacznik/<int:pk>/", views.attachment_view, name="attachment"),
    path("zgloszenia/", views.reports_view, name="reports"),
    path("zgloszenia/<int:pk>/", views.report_view, name="report_detail"),
    path("ustawienia/<int:school_id>/", views.settings_view, name="settings"),
]
