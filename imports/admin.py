import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from core.admin import PersonalDataMixin, ScopedAdminMixin, ScopedQuerysetMixin
from core.downloads import attachment, download
from products.models import Producer

from .forms import ColumnMappingForm, ColumnsForm, UploadForm
from .kinds import DEFAULT, KINDS, may_import
from .models import ColumnMapping, ImportRecord
from .reading import MAX_UPLOAD_BYTES
from .rejected import rejected_rows
from .retention import purged_refusal
from .rows import column_label
from .tasks import ACTIVE, CANCELLABLE, STARTABLE, cancel_import, check_again, mark_stale, preview_import, start_import
from .template import template_workbook

# A queued import no worker has taken after this long: the page says to check that one runs.
WORKER_LATE_SECONDS = 60
# Rows of the preview a page shows.
PREVIEW_PAGE_ROWS = 50

# The task queue's own admin pages would show every task, its arguments and errors, outside the
# scope rule: an import's page says what a user may know of its task.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


def waiting_for_a_worker(record: ImportRecord) -> bool:
    """Whether a queued import (or check) has waited longer than a worker takes to come to it."""
    waiting = record.status == ImportRecord.Status.QUEUED or (
        record.status == ImportRecord.Status.CHECKING and not record.phase)
    late = timezone.now() - datetime.timedelta(seconds=WORKER_LATE_SECONDS)
    return waiting and (record.heartbeat_at or record.created_at) < late


def confirmable(record: ImportRecord) -> bool:
    """Whether a record may be imported: checked in full (a preview of its rows kept), with no error
    unless only its valid rows are to be written, and its file still kept."""
    return (record.status in STARTABLE and bool(record.preview) and (record.skip_invalid or not record.errors)
            and record.purged_at is None)


def mapping_text(mapping: dict) -> str:
    """A column mapping in words: "Tên SP → Tên sản phẩm; Ghi chú → bỏ qua"."""
    return "; ".join(f"{header} → {column_label(column) if column else _('ignored')}"
                     for header, column in mapping.items()) or "-"


@admin.register(ImportRecord)
class ImportRecordAdmin(ScopedQuerysetMixin, PersonalDataMixin, admin.ModelAdmin):
    """Upload → preview (what would change, every error) → confirm. Every upload is kept.

    A record is read by its uploader, and by whoever's scope covers every province its rows name
    (administrators and national leadership: all); its rows come back (rejected rows) only to users
    who may import the sheet and read producers' personal data.
    """

    personal_fields = Producer.PERSONAL_FIELDS
    personal_permission = "products.change_producer"

    list_display = [
        "filename", "kind", "user", "created_at", "status", "created", "updated", "unchanged", "failed_rows",
    ]
    list_filter = ["kind", "status", ("user", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "created_at"
    # Where a running import is (phase, rows, heartbeat, failure) shows in its own section of the page.
    fields = readonly_fields = [
        "kind", "filename", "sheet", "given_display", "sha256", "user", "created_at", "status", "skip_invalid",
        "created", "updated", "unchanged", "failed_rows", "warned_rows", "unknown_columns_display", "mapping_display",
    ]
    change_form_template = "admin/imports/importrecord/change_form.html"

    @admin.display(description=_("values for every row"))
    def given_display(self, record) -> str:
        return "; ".join(f"{column_label(column)}: {value}" for column, value in record.given.items()) or "-"

    @admin.display(description=_("columns not recognised"))
    def unknown_columns_display(self, record) -> str:
        return ", ".join(record.unknown_columns) or "-"

    @admin.display(description=_("column mapping"))
    def mapping_display(self, record) -> str:
        return mapping_text(record.mapping)

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="imports_importrecord_upload"),
            path("template/", self.admin_site.admin_view(self.template_view), name="imports_importrecord_template"),
            path(
                "template/<slug:kind>/", self.admin_site.admin_view(self.template_view),
                name="imports_importrecord_template",
            ),
            path(
                "<int:pk>/confirm/", self.admin_site.admin_view(self.confirm_view),
                name="imports_importrecord_confirm",
            ),
            path(
                "<int:pk>/rejected.xlsx", self.admin_site.admin_view(self.rejected_view),
                name="imports_importrecord_rejected",
            ),
            path("<int:pk>/status.json", self.admin_site.admin_view(self.status_view),
                 name="imports_importrecord_status"),
            path("<int:pk>/cancel/", self.admin_site.admin_view(self.cancel_view), name="imports_importrecord_cancel"),
            path("<int:pk>/columns/", self.admin_site.admin_view(self.columns_view),
                 name="imports_importrecord_columns"),
            *super().get_urls(),
        ]

    def scope_q(self, request, ids):
        # A file naming no province (none could be read) is its uploader's alone.
        rows = ImportRecord.provinces.through.objects
        covered = Q(pk__in=rows.values("importrecord")) & ~Q(
            pk__in=rows.exclude(adminunit__in=ids).values("importrecord")
        )
        return Q(user=request.user) | covered

    def get_queryset(self, request):
        # The file and the lists of errors are read only by the pages that show them, one record at a time.
        return super().get_queryset(request).defer("content", "errors", "warnings", "unknown_columns", "preview")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("admin:imports_importrecord_upload")

    def has_change_permission(self, request, obj=None):
        return False

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # One byte more than the gate lets through is enough to refuse the file.
                record = preview_import(
                    user=request.user, filename=upload.name, content=upload.read(MAX_UPLOAD_BYTES + 1),
                    skip_invalid=form.cleaned_data["skip_invalid"], kind=form.cleaned_data["kind"],
                    sheet=form.cleaned_data["sheet"], given=form.given(),
                    mapping=form.cleaned_data["mapping"].columns if form.cleaned_data["mapping"] else None,
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("admin:imports_importrecord_change", record.pk)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form,
                   "title": _("Import a spreadsheet"), "kinds": KINDS.values()}
        return render(request, "admin/imports/importrecord/upload.html", context)

    def template_view(self, request, kind=DEFAULT):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if kind not in KINDS:
            raise Http404
        return download(template_workbook(KINDS[kind].template()), "xlsx", KINDS[kind].template_name)

    def rejected_view(self, request, pk):
        record = self.get_object(request, pk)
        if record is None:
            raise Http404
        # The rows come back to be fixed and imported again, as they were typed, personal data included.
        if not self.may_download_rows(request, record):
            raise PermissionDenied
        if record.purged_at:
            return self.refuse_purged(request, record)
        return attachment(rejected_rows(record), "xlsx", f"dong-loi-{record.pk}")

    def refuse_purged(self, request, record):
        """Back to the import's page, which says that its file was deleted, and why."""
        self.message_user(request, purged_refusal(record), level="error")
        return redirect("admin:imports_importrecord_change", record.pk)

    def may_download_rows(self, request, record) -> bool:
        return (self.has_view_permission(request, record) and may_import(request.user, record.kind)
                and not self.hides_personal_data(request))

    def confirm_view(self, request, pk):
        record = get_object_or_404(self.get_queryset(request), pk=pk, status__in=STARTABLE)
        if (
            request.method != "POST"
            or not self.has_add_permission(request)
            or not may_import(request.user, record.kind)
        ):
            raise PermissionDenied
        if record.purged_at:
            return self.refuse_purged(request, record)
        if not confirmable(record):
            self.message_user(request, _("This import cannot be confirmed: its sheet has errors (and not only the "
                                         "valid rows are to be imported), or it was never checked in full."),
                              level="error")
            return redirect("admin:imports_importrecord_change", record.pk)
        # In the background: the page shows where it is (status.json) and ends with the summary.
        if start_import(record, request.user):
            record.refresh_from_db()
            self.say_how_it_ended(request, record)
        return redirect("admin:imports_importrecord_change", record.pk)

    def say_how_it_ended(self, request, record) -> None:
        """The import's outcome, once it has one (a worker may have taken it at once), else that it runs."""
        Status = ImportRecord.Status
        language = "en" if translation.get_language() == "en" else "vi"
        if record.status == Status.IMPORTED:
            self.message_user(request, _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s "
                                         "unchanged.") % {"created": record.created, "updated": record.updated,
                                                          "unchanged": record.unchanged})
        elif record.status in (Status.PREVIEWED, Status.FAILED):
            ended = _("Nothing was written: the sheet has errors.") if record.status == Status.PREVIEWED else _(
                "The import failed.")
            self.message_user(request, ended, level="error")
            if record.failure:
                self.message_user(request, record.failure.get(language, ""), level="error")
        else:
            self.message_user(request, _("The import has started; this page follows it."))

    def columns_view(self, request, pk):
        """The preview's choices for the columns it did not recognise: check the sheet again with them,
        and save them as a column mapping of a province when named."""
        record = get_object_or_404(self.get_queryset(request), pk=pk, status__in=STARTABLE)
        if request.method != "POST" or not (self.has_add_permission(request) and may_import(request.user, record.kind)):
            raise PermissionDenied
        if record.purged_at:
            return self.refuse_purged(request, record)
        form = ColumnsForm(request.POST, record=record, user=request.user)
        if not form.is_valid():
            for errors in form.errors.values():
                self.message_user(request, " ".join(errors), level="error")
            return redirect("admin:imports_importrecord_change", record.pk)
        record.mapping = {**record.mapping, **form.mapping()}
        if name := form.cleaned_data["save_as"].strip():
            if not request.user.has_perms(["imports.add_columnmapping", "imports.change_columnmapping"]):
                raise PermissionDenied
            ColumnMapping.objects.update_or_create(
                province=form.cleaned_data["province"], kind=record.kind, name=name,
                defaults={"columns": record.mapping, "updated_by": request.user})
            self.message_user(request, _("Saved as the column mapping “%(name)s” of %(province)s.") % {
                "name": name, "province": form.cleaned_data["province"].name})
        if check_again(record, request.user):
            self.message_user(request, _("The sheet is being checked again with the columns you chose."))
        return redirect("admin:imports_importrecord_change", record.pk)

    def cancel_view(self, request, pk):
        record = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not (self.has_add_permission(request) and may_import(request.user, record.kind)):
            raise PermissionDenied
        if cancel_import(record):
            self.message_user(request, _("The import was cancelled; nothing was written."))
        else:
            self.message_user(request, _("Too late to cancel: the import is writing or has ended."), level="warning")
        return redirect("admin:imports_importrecord_change", record.pk)

    def status_view(self, request, pk):
        """Where a running import is, for its page to follow: status, phase, rows done of total, and
        when it has ended, whether it wrote."""
        mark_stale(ImportRecord.objects.filter(pk=pk))
        record = self.get_object(request, pk)
        if record is None or not self.has_view_permission(request, record):
            raise Http404
        language = "en" if translation.get_language() == "en" else "vi"
        return JsonResponse({
            "status": record.status, "status_label": record.get_status_display(),
            "phase": record.phase, "phase_label": record.get_phase_display(),
            "done": record.done, "total": record.total,
            "ended": record.status not in ACTIVE,
            "failure": record.failure.get(language, ""),
            "no_worker": waiting_for_a_worker(record),
        })

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and mark_stale(ImportRecord.objects.filter(pk=obj.pk)):
            obj.refresh_from_db()
        if obj is not None:
            language = translation.get_language() if translation.get_language() in ("vi", "en") else "vi"
            hidden = self.personal_fields if self.hides_personal_data(request) else ()

            def shown(e):  # the column as the sheet's header names it, the reason in the page's language
                message = "…" if e["column"] in hidden else e.get(language, e.get("vi"))  # it may quote a phone number
                return {**e, "column": column_label(e["column"]), "message": message}

            # Being checked (again): what the last check found is not what this one will.
            checking = obj.status == ImportRecord.Status.CHECKING
            context["rows"] = [] if checking else [shown(e) for e in obj.errors]
            context["warning_rows"] = [] if checking else [shown(e) for e in obj.warnings]
            context["unlisted_failed_rows"] = 0 if checking else obj.failed_rows - len({e["row"] for e in obj.errors})
            context["unlisted_warned_rows"] = 0 if checking else obj.warned_rows - len({e["row"] for e in obj.warnings})
            kept = obj.purged_at is None  # the file, and the rows read from it (imports.retention)
            context["has_rejected_rows"] = not checking and kept and (
                any(e["row"] > obj.header_row for e in obj.errors) and self.may_download_rows(request, obj)
            )
            context["can_confirm"] = confirmable(obj) and may_import(request.user, obj.kind)
            context["can_check_again"] = (obj.status in STARTABLE and not obj.preview and kept
                                          and may_import(request.user, obj.kind))
            context["running"] = obj.status in ACTIVE
            context["cancellable"] = obj.status in CANCELLABLE and obj.phase != ImportRecord.Phase.WRITING
            context["no_worker"] = waiting_for_a_worker(obj)
            context["failure"] = obj.failure.get(language, "")
            if not checking and self.may_download_rows(request, obj):  # the rows, as they were typed
                context["preview"] = self.preview_page(request, obj, hidden, context["rows"], context["warning_rows"])
            context["retention_days"] = settings.UPLOAD_RETENTION_DAYS
            if obj.unknown_columns and obj.status in STARTABLE and kept and may_import(request.user, obj.kind):
                context["columns_form"] = ColumnsForm(record=obj, user=request.user)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def preview_page(self, request, record, hidden, errors, warnings) -> dict | None:
        """A page of the rows the import writes (`?rows=errors`: those with errors), each with its problems."""
        if not record.preview.get("rows"):
            return None
        kind = KINDS[record.kind]
        shown = [column not in hidden for column in record.preview["columns"]]
        only_errors = request.GET.get("rows") == "errors"
        rows = [row for row in record.preview["rows"] if not only_errors or row[1] == "error"]
        page = Paginator(rows, PREVIEW_PAGE_ROWS).get_page(request.GET.get("p"))
        by_row = defaultdict(list)
        for problem in [*({**e, "is_error": True} for e in errors), *warnings]:
            by_row[problem["row"]].append(problem)
        outcomes = {"created": _("new"), "updated": _("updated"), "unchanged": _("unchanged"), "error": _("error"),
                    "": _("valid")}
        return {
            "columns": [str(kind.labels.get(column, column)) for column in record.preview["columns"]],
            "page": page, "only_errors": only_errors,
            "rows": [{"number": number, "outcome": outcome, "outcome_label": outcomes.get(outcome, outcome),
                      "cells": [cell if visible else "…" for cell, visible in zip(cells, shown, strict=True)],
                      "problems": by_row.get(number, [])} for number, outcome, cells in page],
        }


@admin.register(ColumnMapping)
class ColumnMappingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A province's names for its sheets' columns: saved from an import's preview, chosen on upload."""

    form = ColumnMappingForm
    list_display = ["name", "province", "kind", "columns_display", "updated_at", "updated_by"]
    list_filter = ["kind", "province"]
    list_select_related = ["province", "updated_by"]
    search_fields = ["name"]
    fields = ["name", "province", "kind", "columns", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    @admin.display(description=_("columns"))
    def columns_display(self, mapping) -> str:
        return mapping_text(mapping.columns)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
