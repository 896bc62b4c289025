"""The audit trail every record of the register and the plans keeps (django-simple-history): who
changed what, when, with the values, and the spreadsheet import that made the change, if one did."""

from django.db import models
from django.dispatch import receiver
from django.utils.text import format_lazy
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


class ImportedHistory(models.Model):
    """What every historical record (django-simple-history) carries besides who and when: the
    spreadsheet import that made the change, if one did."""

    history_import = models.ForeignKey(
        "imports.ImportRecord", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("spreadsheet import"),
    )

    class Meta:
        abstract = True


class AuditTrail(HistoricalRecords):
    # The library names a trail "historical <model>", untranslated: the admin's menu would read
    # "Historical sản phẩm".
    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy(_("{} (version)"), model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy(_("{} (change log)"), model._meta.verbose_name_plural)
        return options

    def get_extra_fields(self, model, fields):
        # The library's own fields have no words of their own: a change log would head its columns
        # "History date", "History user" in any language. (The label only: migrations read the
        # constructor's argument, so the historical tables' migrations stay as they are.)
        extra = super().get_extra_fields(model, fields)
        for name, label in (("history_date", _("date and time")), ("history_user", _("changed by")),
                            ("history_type", _("kind of change")), ("history_change_reason", _("reason"))):
            if isinstance(extra.get(name), models.Field):
                extra[name].verbose_name = label
        extra["__str__"] = lambda version: str(format_lazy(_("{} (version of {})"), version.history_object,
                                                           localtime(version.history_date).strftime("%H:%M %d/%m/%Y")))
        return extra

    def copy_fields(self, model):
        # The library indexes every foreign key a version copies, but nothing looks versions up by
        # them: a record's versions are found by its id and change logs sort by date (a scoped log
        # filters while it reads in date order). Each index was one more write per version: about a
        # quarter of an import's index writes.
        fields = super().copy_fields(model)
        for field in fields.values():
            if isinstance(field, models.ForeignKey):
                field.db_index = False
        return fields


def audited(*excluded: str) -> HistoricalRecords:
    """The audit trail of a model: every create, change and delete with who, when and the values
    (but the `excluded` fields, derived or bookkeeping, which the trail's own date covers)."""
    return AuditTrail(bases=[ImportedHistory], excluded_fields=list(excluded))


@receiver(pre_create_historical_record)
def _link_history_to_import(sender, instance, history_instance, **kwargs):
    """A change saved by an import (imports.writers.save_row) points at its ImportRecord in the audit trail."""
    record = getattr(instance, "_import_record", None)
    if record is not None:
        history_instance.history_import = record
