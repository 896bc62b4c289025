from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class ProvincesConfig(AppConfig):
    name = "provinces"
    verbose_name = _("Administrative units")

    def ready(self):
        from .text import compose_text_fields

        pre_save.connect(compose_text_fields, dispatch_uid="compose_text_fields")
