from django.urls import path

from . import views

app_name = "intranet"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("okolniki/", views.circulars_view, name="circulars"),
    path("okolniki/nowy/", views.circular_new_view, name="circular_new"),
    path("okolniki/<int:pk>/", views.circular_view, name="circular"),
    path("zalaczniki/<int:pk>/", views.attachment_view, name="attachment"),
    path("prosby/", views.requests_view, name="requests"),
    path("prosby/nowa/", views.request_new_view, name="request_new"),
    path("prosby/<int:pk>/", views.request_view, name="request"),
    path("prosby/<int:pk>/zamknij/", views.request_close_view, name="request_close"),
    path("prosby/<int:pk>/odpowiedzi.<str:fmt>", views.request_export_view, name="request_export"),
    path("prosby/<int:pk>/szkola/<int:school_id>/", views.answer_view, name="answer"),
    path(
        "prosby/<int:pk>/szkola/<int:school_id>/plik/",
        views.answer_file_view,
        name="answer_file",
    ),
    path("tablica/", views.posts_view, name="posts"),
    path("tablica/nowy/", views.post_new_view, name="post_new"),
    path("tablica/<int:pk>/", views.post_view, name="post"),
]
