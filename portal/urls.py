from allauth.account.decorators import secure_admin_login

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import files, views
from . import manage_views as m
from .privacy import urls as privacy_urls

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Portal Oświatowy"


portal_patterns = [
    path("panel/", views.dashboard, name="dashboard"),
    path("panel/aktywnosc/", views.keepalive, name="keepalive"),
    path("infomat/wlacz/<str:token>/", views.infomat_on, name="infomat_on"),
    path("infomat/wylacz/<str:token>/", views.infomat_off, name="infomat_off"),
    path("infomat/nowa-sesja/", views.infomat_reset, name="infomat_reset"),
    path("zarzadzanie/", m.ManageHomeView.as_view(), name="manage_home"),
    path("zarzadzanie/<int:school_id>/", m.ManageSchoolView.as_view(), name="manage_school"),
    path("zarzadzanie/<int:school_id>/osoby/", m.PeopleListView.as_view(), name="manage_people"),
    path(
        "zarzadzanie/<int:school_id>/osoby/nowa/",
        m.PersonCreateView.as_view(),
        name="manage_person_add",
    ),
    path(
        "zarzadzanie/<int:school_id>/osoby/<int:pk>/",
        m.PersonEditView.as_view(),
        name="manage_person",
    ),
    path(
        "zarzadzanie/<int:school_id>/osoby/<int:pk>/haslo/",
        m.PersonPasswordResetView.as_view(),
        name="manage_person_password",
    ),
    path(
        "zarzadzanie/<int:school_id>/osoby/<int:pk>/aktywne/",
        m.PersonActiveView.as_view(),
        name="manage_person_active",
    ),
    path("zarzadzanie/<int:school_id>/import/", m.ImportView.as_view(), name="manage_import"),
    path(
        "zarzadzanie/<int:school_id>/import/<int:pk>/",
        m.ImportRunView.as_view(),
        name="manage_import_run",
    ),
    path(
        "zarzadzanie/<int:school_id>/import/<int:pk>/roznice/<int:conflict_id>/",
        m.ImportConflictView.as_view(),
        name="manage_import_conflict",
    ),
    path(
        "zarzadzanie/<int:school_id>/import/wzor/<slug:kind>.csv",
        m.ImportSampleView.as_view(),
        name="manage_import_sample",
    ),
    path(
        "zarzadzanie/<int:school_id>/<slug:section>/",
        m.SectionListView.as_view(),
        name="manage_list",
    ),
    path(
        "zarzadzanie/<int:school_id>/<slug:section>/nowy/",
        m.SectionEditView.as_view(),
        name="manage_add",
    ),
    path(
        "zarzadzanie/<int:school_id>/<slug:section>/<int:pk>/",
        m.SectionEditView.as_view(),
        name="manage_edit",
    ),
    path(
        "zarzadzanie/<int:school_id>/<slug:section>/<int:pk>/usun/",
        m.SectionDeleteView.as_view(),
        name="manage_delete",
    ),
    *privacy_urls.urlpatterns,
]

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("konto/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
    path("", include((portal_patterns, "portal"))),
    path("gmina/", include("analytics.urls")),
    path("", include("portal.background.urls")),
    path("dziennik/", include("gradebook.urls")),
    path("dziennik/", include("gradebook.register.urls")),
    path("dziennik/koniec-roku/nowy-rok/", include("gradebook.yearend.urls_rollover")),
    path("dziennik/koniec-roku/", include("gradebook.yearend.urls")),
    path("dziennik/koniec-roku/archiwum/", include("gradebook.yearend.urls_archive")),
    path("biblioteka/", include("library.circulation.urls")),
    path("biblioteka/", include("library.urls")),
    path("wiadomosci/", include("messaging.urls")),
    path("powiadomienia/", include("notifications.urls")),
    path("intranet/", include("intranet.urls")),
    path("", include("eservices.urls")),
    path("", include("webpush.urls")),
    path("", include("cms.urls")),
]

if settings.DEBUG:
    # Uploaded media as the documented nginx serves it: documents/ only through
    # Wagtail's serve view, the private storage never.
    urlpatterns += static(settings.MEDIA_URL, view=files.serve_public_media)

# Wagtail's page serving comes last: it catches every other path.
urlpatterns += [path("", include(wagtail_urls))]
