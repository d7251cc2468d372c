from django.urls import path

from . import views

app_name = "webpush"

# Included at the site root: the manifest and the service worker must live there
# (a worker's scope is the folder it is served from).
urlpatterns = [
    path("manifest.webmanifest", views.manifest_view, name="manifest"),
    path("sw.js", views.service_worker_view, name="service_worker"),
    path("offline/", views.offline_view, name="offline"),
    path("push/urzadzenia/", views.devices_view, name="devices"),
    path("push/urzadzenia/<int:pk>/usun/", views.remove_view, name="remove"),
    path("push/subskrypcja/", views.subscribe_view, name="subscribe"),
    path("push/subskrypcja/usun/", views.unsubscribe_view, name="unsubscribe"),
]
