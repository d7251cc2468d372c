from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("przeczytane/", views.mark_all_read, name="mark_all_read"),
    path("ustawienia/", views.preferences, name="preferences"),
    path("szkola/<int:school_id>/", views.school_settings, name="school_settings"),
    path("<int:pk>/", views.notification_open, name="open"),
]
