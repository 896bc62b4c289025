from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from provinces.models import AdminUnit


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of sheet (imports.kinds): a kind added there needs no migration."""
    from .kinds import KINDS  # the kinds import the register's models, which must load first

    return [(kind.name, kind.label) for kind in KINDS.values()]


class ImportRecord(models.Model):
    """One spreadsheet brought in: who, when, which file, what it changed and what was wrong."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        PREVIEWED = "previewed", _("Previewed, not imported")
        QUEUED = "queued", _("Waiting to be imported")
        RUNNING = "running", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Phase(models.TextChoices):
        READING = "reading", _("Reading the file")
        CHECKING = "checking", _("Checking the rows")
        WRITING = "writing", _("Writing to the register")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    kind = models.CharField(_("kind of sheet"), max_length=10, choices=kind_choices, default="products")
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(editable=False)
    skip_invalid = models.BooleanField(_("import only the valid rows"), default=False)
    # How to read the file, as the upload said: which sheet of a workbook (blank: the first that
    # holds a table), and the values every row takes (the decision an annex is attached to).
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    given = models.JSONField(_("values for every row"), default=dict, blank=True)
    # The admin's own names for the sheet's columns: {header as typed: column, or "" to ignore it}.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    header_row = models.PositiveIntegerField(default=1, editable=False)  # the table's, as the preview found it
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PREVIEWED)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    # Counted here, so a list of imports never reads the error lists (which keep the first
    # rows.MAX_ERRORS of each) nor the file.
    failed_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    warned_rows = models.PositiveIntegerField(_("rows with warnings"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    unknown_columns = models.JSONField(_("columns not recognised"), default=list, blank=True)
    # What the rows will write, as the preview found it (imports.services.preview_rows): read by its page only.
    preview = models.JSONField(_("rows"), default=dict, blank=True, editable=False)
    # A confirmed import runs in the background (imports.tasks): where it is, and when its worker last said so.
    phase = models.CharField(_("phase"), max_length=10, choices=Phase, blank=True)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows"), default=0)
    heartbeat_at = models.DateTimeField(_("last heard from its worker"), null=True, blank=True, editable=False)
    failure = models.JSONField(_("why it failed"), default=dict, blank=True)  # {"vi": ..., "en": ...}
    # When the file and the rows read from it were deleted, UPLOAD_RETENTION_DAYS after the upload
    # (imports.retention): they hold producers' phone numbers and tax codes. The rest stays.
    purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True, editable=False)
    # The provinces the sheet's rows name, stored at preview: the record is read by whoever's scope covers them all.
    provinces = models.ManyToManyField(AdminUnit, blank=True, editable=False, related_name="+",
                                       verbose_name=_("provinces of the rows"))

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at"]
        # Recorded under products before the pipeline had its own app: the table kept its name.
        db_table = "products_importrecord"

    def __str__(self) -> str:
        if not self.created_at:
            return self.filename
        return f"{self.filename} ({timezone.localtime(self.created_at):%d/%m/%Y %H:%M})"


class ColumnMapping(models.Model):
    """A province's names for the columns of its own sheets, saved from a preview for later uploads:
    {header as typed: the column it holds, or "" for a column to ignore}."""

    province = models.ForeignKey(AdminUnit, models.CASCADE, related_name="+", verbose_name=_("province"),
                                 limit_choices_to={"level": AdminUnit.Level.PROVINCE})
    kind = models.CharField(_("kind of sheet"), max_length=10, choices=kind_choices, default="products")
    name = models.CharField(_("name"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict)
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("saved by"))

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["province__search_name", "name"]
        constraints = [models.UniqueConstraint(fields=["province", "kind", "name"], name="one_mapping_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.province.name})"
