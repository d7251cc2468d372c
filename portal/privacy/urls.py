from django.urls import path

from . import views

urlpatterns = [
    path("ochrona-danych/", views.home, name="privacy_home"),
    path("ochrona-danych/osoby/", views.people, name="privacy_people"),
    path("ochrona-danych/osoby/<int:pk>/", views.person, name="privacy_person"),
    path(
        "ochrona-danych/osoby/<int:pk>/eksport.json",
        views.person_export,
        {"fmt": "json"},
        name="privacy_export_json",
    ),
    path(
        "ochrona-danych/osoby/<int:pk>/eksport.pdf",
        views.person_export,
        {"fmt": "pdf"},
        name="privacy_export_pdf",
    ),
    path("ochrona-danych/dziennik-zdarzen/", views.audit_trail, name="privacy_audit"),
    path("ochrona-danych/odczyty/", views.read_audit, name="privacy_reads"),
    path("ochrona-danych/anonimizacja/", views.anonymisation_report, name="privacy_anonymisation"),
]
