from django.urls import path

from . import views

app_name = "background"

urlpatterns = [
    path("praca-w-tle/", views.status, name="status"),
    path("praca-w-tle/<uuid:task_id>/ponow/", views.retry, name="retry"),
]
