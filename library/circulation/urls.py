from django.urls import path

from . import views

app_name = "circulation"

urlpatterns = [
    path("wypozyczalnia/", views.desk_home, name="desk_home"),
    path("wypozyczalnia/<int:school_id>/", views.desk, name="desk"),
    path("wypozyczalnia/<int:school_id>/zalegle/", views.overdue, name="overdue"),
    path(
        "wypozyczalnia/<int:school_id>/zalegle/przypomnij/",
        views.overdue_remind,
        name="overdue_remind",
    ),
    path("wypozyczalnia/<int:school_id>/zalegle/pdf/", views.overdue_pdf, name="overdue_pdf"),
    path("wypozyczalnia/<int:school_id>/zasady/", views.rules_page, name="rules"),
    path("wypozyczalnia/<int:school_id>/karty-klasy/", views.class_cards, name="class_cards"),
    path("wypozyczalnia/<int:school_id>/czytelnicy/", views.readers, name="readers"),
    path(
        "wypozyczalnia/<int:school_id>/czytelnicy/<int:user_id>/zakoncz/",
        views.external_reader_end,
        name="external_reader_end",
    ),
    path(
        "wypozyczalnia/<int:school_id>/czytelnicy/<int:user_id>/karta.pdf",
        views.reader_card_for,
        name="reader_card",
    ),
    path("konto/", views.account, name="account"),
    path("konto/karta.pdf", views.card, name="card"),
    path("konto/<str:action>/", views.account_action, name="account_action"),
    path("konto/dziecko/<int:user_id>/", views.account, name="account_child"),
    path("konto/dziecko/<int:user_id>/karta.pdf", views.card, name="card_child"),
    path(
        "konto/dziecko/<int:user_id>/<str:action>/",
        views.account_action,
        name="account_child_action",
    ),
    path("egzemplarze/<int:pk>/", views.copy_detail, name="copy"),
    path("egzemplarze/rekord/<int:pk>/dodaj/", views.copies_add, name="copies_add"),
    path("egzemplarze/rekord/<int:pk>/rezerwuj/", views.hold_place, name="hold_place"),
    path("skontrum/<int:school_id>/", views.stocktakes, name="stocktakes"),
    path("skontrum/spis/<int:pk>/", views.stocktake, name="stocktake"),
    path(
        "skontrum/spis/<int:pk>/protokol.pdf", views.stocktake_protocol, name="stocktake_protocol"
    ),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/koniec/", views.kiosk_end, name="kiosk_end"),
    path("kiosk/wyjdz/", views.kiosk_leave, name="kiosk_leave"),
]
