from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("definicje/", views.definitions, name="definitions"),
    path("przelicz/", views.compute, name="compute"),
]
