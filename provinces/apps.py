import re

from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _

# C0 control characters but tab, line feed and carriage return: what a form or a pasted text
# (Word's manual line break is \x0b) may bring, nobody means in a name, phone or address, and a
# workbook may not hold (the exports would have to mangle them).
CONTROL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def drop_control_characters(sender, instance, **kwargs) -> None:
    """Before any model is saved: its text without control characters (CONTROL_CHARACTERS_RE),
    whichever form or code set it."""
    for field in sender._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and CONTROL_CHARACTERS_RE.search(value):
            setattr(instance, field.attname, CONTROL_CHARACTERS_RE.sub("", value))


class ProvincesConfig(AppConfig):
    name = "provinces"
    verbose_name = _("Administrative units")

    def ready(self):
        from .text import compose_text_fields

        pre_save.connect(compose_text_fields, dispatch_uid="compose_text_fields")
        pre_save.connect(drop_control_characters, dispatch_uid="drop_control_characters")
