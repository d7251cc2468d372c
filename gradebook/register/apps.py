from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    """The class register part of the e-register (lessons, attendance, excuses,
    remarks, homework, tests, announcements). A Django app of its own inside
    gradebook/, so that it migrates and is tested independently of grades."""

    name = "gradebook.register"
    label = "register"
    verbose_name = _("Class register")
    default_auto_field = "django.db.models.BigAutoField"
