"""Uploaded files are kept UPLOAD_RETENTION_DAYS (90 by default): `purge_uploads` then deletes an
import's file and the rows read from it, keeping its record, counts, errors and audit links; its page
says so, and what needs the file answers why it cannot be done."""

import datetime
import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone

from imports.models import ImportRecord
from imports.retention import purge_uploads
from imports.tasks import preview_import, start_import
from products.models import Rating
from tests.processes import ROOT

pytestmark = pytest.mark.django_db
Status = ImportRecord.Status

SHEET = ("Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\nBắc Kạn,HTX Tài Hoan,Miến dong,4,29/12/2021\n"
         "Bắc Kạn,HTX Tài Hoan,Mật ong,7,29/12/2021\n")
NOW = timezone.make_aware(datetime.datetime(2026, 12, 1, 3, 0))


def uploaded(user, days_ago: int, status=None, text=SHEET) -> ImportRecord:
    """An upload, checked (and imported when `status` says so), made `days_ago` days before NOW."""
    record = preview_import(user=user, filename="ds.csv", content=text.encode(), skip_invalid=True)
    if status == Status.IMPORTED:
        start_import(record, user)
    elif status:
        ImportRecord.objects.filter(pk=record.pk).update(status=status)
    ImportRecord.objects.filter(pk=record.pk).update(created_at=NOW - datetime.timedelta(days=days_ago))
    record.refresh_from_db()
    return record


def purged(record: ImportRecord, days_ago: int = 1) -> ImportRecord:
    ImportRecord.objects.filter(pk=record.pk).update(
        content=b"", preview={}, purged_at=NOW - datetime.timedelta(days=days_ago))
    record.refresh_from_db()
    return record


def test_an_upload_past_the_retention_loses_its_file_and_rows(admin_user):
    record = uploaded(admin_user, days_ago=90)
    purge_uploads(now=NOW)
    record.refresh_from_db()
    assert (bytes(record.content), record.preview, record.purged_at) == (b"", {}, NOW)


def test_an_upload_younger_than_the_retention_keeps_its_file(admin_user):
    record = uploaded(admin_user, days_ago=89)
    assert (purge_uploads(now=NOW), bytes(ImportRecord.objects.get(pk=record.pk).content)) == (0, SHEET.encode())


@pytest.mark.parametrize("status", [Status.CHECKING, Status.QUEUED, Status.RUNNING])
def test_an_import_a_worker_has_yet_to_read_keeps_its_file(admin_user, status):
    record = uploaded(admin_user, days_ago=200, status=status)
    ImportRecord.objects.filter(pk=record.pk).update(heartbeat_at=timezone.now())  # its worker is alive
    assert purge_uploads(now=NOW) == 0


def test_the_retention_is_a_setting(admin_user, settings):
    settings.UPLOAD_RETENTION_DAYS = 30
    uploaded(admin_user, days_ago=30)
    assert purge_uploads(now=NOW) == 1


def test_a_purged_import_keeps_its_counts_errors_and_what_it_wrote(admin_user):
    record = uploaded(admin_user, days_ago=100, status=Status.IMPORTED)
    purge_uploads(now=NOW)
    record.refresh_from_db()
    assert (record.status, record.created, record.failed_rows, len(record.errors)) == (Status.IMPORTED, 1, 1, 1)
    audit, ratings = Rating.history.filter(history_import=record), Rating.objects.filter(import_record=record)
    assert (audit.count(), ratings.count()) == (1, 1)


def test_purge_uploads_says_how_many_files_it_deleted_in_both_languages(admin_user):
    uploaded(admin_user, days_ago=400)
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert "đã xoá: 1" in out.getvalue() and "deleted: 1" in out.getvalue()


def test_purge_uploads_dry_run_deletes_nothing(admin_user):
    record = uploaded(admin_user, days_ago=400)
    call_command("purge_uploads", "--dry-run", stdout=io.StringIO())
    assert ImportRecord.objects.get(pk=record.pk).purged_at is None


def test_the_page_of_a_purged_import_says_when_its_file_was_deleted_and_why(admin_client, admin_user):
    record = purged(uploaded(admin_user, days_ago=100), days_ago=3)
    page = admin_client.get(f"/admin/imports/importrecord/{record.pk}/change/").content.decode()
    deleted_on = f"{timezone.localtime(record.purged_at):%d/%m/%Y}"
    assert f"Tệp tải lên đã bị xoá ngày {deleted_on} theo quy định lưu giữ" in page
    assert 'id="rejected-rows"' not in page and 'id="confirm-import"' not in page and 'id="check-again"' not in page


def refusal(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_the_rejected_rows_of_a_purged_import_answer_why_in_both_languages(admin_client, admin_user):
    record = purged(uploaded(admin_user, days_ago=100))
    response = admin_client.get(f"/admin/imports/importrecord/{record.pk}/rejected.xlsx", follow=True)
    assert (response.status_code, response.redirect_chain[0][1]) == (200, 302)
    assert "đã bị xoá" in refusal(response) and "was deleted" in refusal(response)


def test_a_purged_import_cannot_be_started_again(admin_client, admin_user):
    record = purged(uploaded(admin_user, days_ago=100, status=Status.FAILED))
    response = admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/", follow=True)
    assert ("upload the sheet again" in refusal(response), ImportRecord.objects.get(pk=record.pk).status) == (
        True, Status.FAILED)


def test_a_purged_import_cannot_be_checked_again(admin_client, admin_user):
    record = purged(uploaded(admin_user, days_ago=100, status=Status.CANCELLED))
    response = admin_client.post(f"/admin/imports/importrecord/{record.pk}/columns/", follow=True)
    assert ("upload the sheet again" in refusal(response), ImportRecord.objects.get(pk=record.pk).status) == (
        True, Status.CANCELLED)


def test_a_purged_import_is_never_queued(admin_user):
    record = purged(uploaded(admin_user, days_ago=100, status=Status.FAILED))
    assert start_import(record, admin_user) is False


RETENTION = "import ocop_dashboard.settings as s; print(s.UPLOAD_RETENTION_DAYS)"


@pytest.mark.parametrize(("value", "said"), [
    (None, "90"), ("30", "30"), ("0", "UPLOAD_RETENTION_DAYS must be a whole number of at least 1"),
])
def test_uploads_are_kept_90_days_unless_the_environment_says_otherwise(value, said):
    env = {"PATH": os.environ.get("PATH", ""), "OCOP_ENV_FILE": "", "DEBUG": "true"} | (
        {"UPLOAD_RETENTION_DAYS": value} if value else {})
    result = subprocess.run([sys.executable, "-c", RETENTION], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert said in result.stdout + result.stderr
