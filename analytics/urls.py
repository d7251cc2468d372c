from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("definicje/", views.definitions, name="definitions"),
    path("przelicz/", views.compute, name="compute"),
    path("miara/<slug:key>/", views.measure, name="measure"),
    path("porownanie/<slug:school_type>/", views.compare, name="compare"),
    path("szkola/<int:pk>/", views.school, name="school"),
    path("zestawienie.xlsx", views.workbook, name="workbook"),
    path("raport.pdf", views.report_pdf, name="report_pdf"),
    path("dane-otwarte/", views.open_data, name="open_data"),
    path("dane-otwarte.csv", views.open_data_csv, name="open_data_csv"),
]
