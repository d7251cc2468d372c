from django.urls import path

from . import trip_views, views

app_name = "eservices"
urlpatterns = [
    path("e-uslugi/", views.home_view, name="home"),
    path("e-uslugi/usluga/<int:pk>/", views.submit_view, name="submit"),
    path("e-uslugi/sprawa/<int:pk>/", views.case_view, name="case"),
    path("e-uslugi/sprawa/<int:pk>/odpowiedz/", views.reply_view, name="reply"),
    path("e-uslugi/sprawa/<int:pk>/status/", views.transition_view, name="transition"),
    path("e-uslugi/sprawa/<int:pk>/wpis/", views.message_view, name="message"),
    path("e-uslugi/sprawa/<int:pk>/przekaz/", views.reassign_view, name="reassign"),
    path("e-uslugi/zalacznik/<int:pk>/", views.attachment_view, name="attachment"),
    path("e-uslugi/dokument/<int:pk>/", views.document_view, name="document"),
    path("e-uslugi/dokument/<int:pk>/uniewaznij/", views.revoke_view, name="revoke"),
    path("e-uslugi/sprawy/", views.queue_view, name="queue"),
    path("e-uslugi/katalog/<int:school_id>/", views.catalogue_view, name="catalogue"),
    path("e-uslugi/katalog/<int:school_id>/nowa/", views.service_edit_view, name="service_add"),
    path(
        "e-uslugi/katalog/<int:school_id>/usluga/<int:pk>/",
        views.service_edit_view,
        name="service_edit",
    ),
    path(
        "e-uslugi/katalog/<int:school_id>/usluga/<int:service_id>/pytanie/",
        views.field_edit_view,
        name="field_add",
    ),
    path(
        "e-uslugi/katalog/<int:school_id>/usluga/<int:service_id>/pytanie/<int:pk>/",
        views.field_edit_view,
        name="field_edit",
    ),
    path("e-uslugi/wycieczki/", trip_views.trips_view, name="trips"),
    path("e-uslugi/wycieczki/nowa/", trip_views.trip_create_view, name="trip_add"),
    path("e-uslugi/wycieczki/<int:pk>/", trip_views.trip_view, name="trip"),
    path("e-uslugi/wycieczki/<int:pk>/druk/", trip_views.trip_print_view, name="trip_print"),
    path("e-uslugi/wycieczki/<int:pk>/zmien/", trip_views.trip_edit_view, name="trip_edit"),
    path(
        "e-uslugi/wycieczki/<int:pk>/dopisz/",
        trip_views.trip_add_pupils_view,
        name="trip_add_pupils",
    ),
    path("e-uslugi/wycieczki/<int:pk>/odwolaj/", trip_views.trip_cancel_view, name="trip_cancel"),
    path(
        "e-uslugi/wycieczki/<int:pk>/przypomnij/", trip_views.trip_remind_view, name="trip_remind"
    ),
    path("e-uslugi/zgoda/<int:pk>/", trip_views.trip_answer_view, name="trip_answer"),
    # public: whoever holds a printed document checks it here (the QR code's address)
    path("weryfikacja/<str:code>/", views.verify_view, name="verify"),
]
