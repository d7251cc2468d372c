from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.catalogue_search, name="search"),
    path("eksport/<str:fmt>/", views.results_export, name="results_export"),
    path("rekord/nowy/", views.record_edit, name="record_new"),
    path("rekord/nowy/formularz/", views.record_form, name="record_form_new"),
    path("rekord/<int:pk>/", views.record_detail, name="record"),
    path("rekord/<int:pk>/eksport/<str:fmt>/", views.record_export, name="record_export"),
    path("rekord/<int:pk>/marc/", views.record_edit, name="record_edit"),
    path("rekord/<int:pk>/formularz/", views.record_form, name="record_form_edit"),
    path("rekord/<int:pk>/historia/", views.record_history, name="record_history"),
    path("rekord/<int:pk>/do-zestawienia/", views.reading_list_add_record, name="record_to_list"),
    path("rekord/<int:pk>/do-kartoteki/", views.topic_add_record, name="record_to_topic"),
    path("hasla/", views.subjects, name="subjects"),
    path("kartoteka/", views.topics, name="topics"),
    path("kartoteka/nowe/", views.topic_new, name="topic_new"),
    path("kartoteka/<slug:slug>/", views.topic_detail, name="topic"),
    path("zestawienia/", views.reading_lists, name="lists"),
    path("zestawienia/nowe/", views.reading_list_new, name="list_new"),
    path("zestawienia/nowosci.rss", views.NewAcquisitionsFeed(), name="new_rss"),
    path("zestawienia/<slug:slug>/", views.reading_list_detail, name="list"),
    path("zestawienia/<slug:slug>/pdf/", views.reading_list_detail, {"pdf": True}, name="list_pdf"),
    path(
        "zestawienia/<slug:slug>/eksport/<str:fmt>/", views.reading_list_export, name="list_export"
    ),
    path(
        "zestawienia/<slug:slug>/usun/<int:pk>/",
        views.reading_list_remove_record,
        name="list_remove",
    ),
    path("import/", views.import_home, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
]
