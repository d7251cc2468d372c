from django.urls import path

from . import views

app_name = "yearend"

urlpatterns = [
    path("klasyfikacja/", views.index, name="index"),
    path("klasyfikacja/<int:school_pk>/", views.school_summary, name="school"),
    path("klasyfikacja/<int:school_pk>/csv/", views.school_csv, name="school_csv"),
    path("klasyfikacja/<int:school_pk>/pdf/", views.school_pdf, name="school_pdf"),
    path("klasyfikacja/klasa/<int:class_pk>/", views.class_summary, name="class"),
    path("klasyfikacja/klasa/<int:class_pk>/csv/", views.class_csv, name="class_csv"),
    path("klasyfikacja/klasa/<int:class_pk>/pdf/", views.class_pdf, name="class_pdf"),
]
