"""A confirmed import runs as a task (imports/tasks.py): its record says where it is, it may be
cancelled until it writes, a dead worker's import fails after a bounded silence and starts again.
The tests run tasks at once (TASKS_BACKEND: the immediate backend); test_worker.py runs a real worker."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from imports import rows as sheet_rows
from imports import writers
from imports.models import ImportRecord
from imports.services import confirm_import, import_products
from imports.tasks import (
    Cancelled,
    Progress,
    cancel_import,
    mark_stale,
    preview_import,
    run_import_task,
    run_preview_task,
    start_import,
)
from products.models import Rating

pytestmark = pytest.mark.django_db
Status, Phase = ImportRecord.Status, ImportRecord.Phase

GOOD = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\nBắc Kạn,HTX Tài Hoan,Miến dong,4,29/12/2021\n"
BIG = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\n" + "".join(
    f"Bắc Kạn,HTX số {i},Sản phẩm {i},3,29/12/2021\n" for i in range(25))


def previewed(user, text=GOOD) -> ImportRecord:
    return preview_import(user=user, filename="ds.csv", content=text.encode(), skip_invalid=False)


def test_a_confirm_through_the_page_imports_and_says_so(admin_client, admin_user):
    record = previewed(admin_user)
    response = admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/", follow=True)
    record.refresh_from_db()
    assert (record.status, record.created, Rating.objects.count()) == (Status.IMPORTED, 1, 1)
    assert any("Đã nhập" in str(m) for m in response.context["messages"])


def test_the_status_of_an_import_is_json_for_its_page(admin_client, admin_user):
    record = previewed(admin_user)
    ImportRecord.objects.filter(pk=record.pk).update(status=Status.RUNNING, phase=Phase.CHECKING, done=3, total=9,
                                                     heartbeat_at=timezone.now())
    state = admin_client.get(f"/admin/imports/importrecord/{record.pk}/status.json").json()
    assert (state["status"], state["phase"], state["done"], state["total"], state["ended"]) == (
        "running", "checking", 3, 9, False)
    page = admin_client.get(f"/admin/imports/importrecord/{record.pk}/change/").content.decode()
    assert 'id="import-progress"' in page and "import_progress.js" in page and 'id="cancel-import"' in page


def test_the_phases_are_told_in_order_with_the_rows(monkeypatch):
    monkeypatch.setattr(sheet_rows, "PROGRESS_ROWS", 10)
    told = []
    import_products(content=BIG.encode(), filename="ds.csv", progress=lambda *state: told.append(state))
    assert told[:5] == [(Phase.READING, 0, 0), (Phase.CHECKING, 0, 25), (Phase.CHECKING, 10, 25),
                        (Phase.CHECKING, 20, 25), (Phase.WRITING, 0, 25)]


def test_the_rows_written_are_told_as_they_are_written_up_to_all_of_them():
    told = []
    import_products(content=BIG.encode(), filename="ds.csv", progress=lambda *state: told.append(state))
    written = [done for phase, done, total in told[4:] if (phase, total) == (Phase.WRITING, 25)]
    assert written == sorted(set(written)) and len(written) == len(told) - 4 > 2
    assert written[-1] == 25


def test_a_write_one_row_at_a_time_tells_its_rows_every_batch():
    written = []
    assert list(writers.told(range(2500), written.append)) == list(range(2500))
    assert written == [1000, 2000]


def test_a_queued_import_cancelled_is_never_written(admin_user, admin_client):
    record = previewed(admin_user)
    ImportRecord.objects.filter(pk=record.pk).update(status=Status.QUEUED)
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/cancel/")
    assert run_import_task.call(record.pk, admin_user.pk) == "not queued"
    record.refresh_from_db()
    assert (record.status, Rating.objects.count()) == (Status.CANCELLED, 0)
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")  # and started again, when wanted
    assert (ImportRecord.objects.get(pk=record.pk).status, Rating.objects.count()) == (Status.IMPORTED, 1)


def test_an_import_cancelled_while_it_checks_stops_before_writing(admin_user):
    record = previewed(admin_user, BIG)
    ImportRecord.objects.filter(pk=record.pk).update(status=Status.RUNNING)
    progress = Progress(record.pk)

    def cancelled_midway(phase, done, total):
        if phase == Phase.CHECKING:
            cancel_import(record)
        progress(phase, done, total)

    with pytest.raises(Cancelled):
        confirm_import(record=record, user=admin_user, progress=cancelled_midway)
    assert (ImportRecord.objects.get(pk=record.pk).status, Rating.objects.count()) == (Status.CANCELLED, 0)


def test_an_import_that_is_writing_cannot_be_cancelled(admin_user):
    record = previewed(admin_user)
    ImportRecord.objects.filter(pk=record.pk).update(status=Status.RUNNING, phase=Phase.WRITING)
    assert not cancel_import(record)
    assert ImportRecord.objects.get(pk=record.pk).status == Status.RUNNING


def test_a_silent_worker_fails_its_import_which_starts_again(admin_user, admin_client, settings):
    record = previewed(admin_user)
    stale = timezone.now() - datetime.timedelta(seconds=settings.IMPORT_STALE_SECONDS + 1)
    ImportRecord.objects.filter(pk=record.pk).update(status=Status.RUNNING, phase=Phase.CHECKING, heartbeat_at=stale)
    page = admin_client.get(f"/admin/imports/importrecord/{record.pk}/change/").content.decode()
    assert 'id="import-failure"' in page and 'id="confirm-import"' in page
    assert ImportRecord.objects.get(pk=record.pk).status == Status.FAILED
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")
    assert (ImportRecord.objects.get(pk=record.pk).status, Rating.objects.count()) == (Status.IMPORTED, 1)


def test_a_worker_heard_recently_is_left_alone(admin_user):
    record = previewed(admin_user)
    ImportRecord.objects.filter(pk=record.pk).update(status=Status.RUNNING, heartbeat_at=timezone.now())
    assert mark_stale() == 0


def test_one_import_is_started_once(admin_user):
    record = previewed(admin_user)
    assert start_import(record, admin_user) and not start_import(record, admin_user)
    assert Rating.objects.count() == 1


def test_an_import_whose_user_has_left_fails_in_words(admin_user, django_user_model):
    record = previewed(admin_user)
    ImportRecord.objects.filter(pk=record.pk).update(status=Status.QUEUED)
    leaver = django_user_model.objects.create_user("leaver", is_active=False)
    assert run_import_task.call(record.pk, leaver.pk) == "failed"
    assert "không còn quyền" in ImportRecord.objects.get(pk=record.pk).failure["vi"]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_command_shows_a_progress_bar_on_a_terminal_and_keeps_stdout(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text(GOOD, encoding="utf-8")
    out, err = io.StringIO(), Terminal()
    call_command("import_ocop", str(path), stdout=out, stderr=err)
    assert out.getvalue().startswith("created: 1,") and "[" not in out.getvalue()
    assert "Đang kiểm tra các dòng: [" in err.getvalue()


def test_the_upload_form_refuses_nothing_it_does_not_know(admin_client):
    file = SimpleUploadedFile("ds.csv", GOOD.encode())
    response = admin_client.post("/admin/imports/importrecord/upload/",
                                 {"file": file, "decision_date": "31/02/2024"})
    assert response.status_code == 200 and ImportRecord.objects.count() == 0


def test_an_import_no_worker_takes_says_to_check_the_worker(admin_user, admin_client):
    record = previewed(admin_user)
    ImportRecord.objects.filter(pk=record.pk).update(status=Status.QUEUED,
                                                     heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    page = admin_client.get(f"/admin/imports/importrecord/{record.pk}/change/").content.decode()
    assert 'id="no-worker"' in page and "run_worker" in page


@pytest.fixture
def queued_tasks(settings):
    """Tasks queued in the database, for a worker (none runs in these tests but the test itself)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_an_upload_returns_at_once_and_a_worker_checks_it(admin_client, admin_user, queued_tasks):
    upload = SimpleUploadedFile("ds.csv", GOOD.encode())
    response = admin_client.post("/admin/imports/importrecord/upload/", {"file": upload, "kind": "products"})
    record = ImportRecord.objects.get()
    assert (response.status_code, record.status, record.preview) == (302, Status.CHECKING, {})
    assert 'id="import-progress"' in admin_client.get(response.url).content.decode()
    run_preview_task.call(record.pk, admin_user.pk)
    record.refresh_from_db()
    assert (record.status, record.created, len(record.preview["rows"])) == (Status.PREVIEWED, 1, 1)


def test_a_file_the_gate_refuses_is_refused_on_the_upload_form(admin_client, queued_tasks):
    upload = SimpleUploadedFile("ds.pdf", b"%PDF-1.4")
    response = admin_client.post("/admin/imports/importrecord/upload/", {"file": upload, "kind": "products"})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not ImportRecord.objects.exists()


def test_a_sheet_that_is_not_there_is_refused_on_the_upload_form(admin_client, queued_tasks):
    upload = SimpleUploadedFile("ds.csv", GOOD.encode())
    response = admin_client.post("/admin/imports/importrecord/upload/", {"file": upload, "sheet": "Phụ lục 9"})
    assert "chỉ có một trang" in str(response.context["form"].errors["file"])
    assert not ImportRecord.objects.exists()


def test_a_check_for_a_user_who_can_no_longer_import_fails_saying_why(admin_user, queued_tasks):
    record = preview_import(user=admin_user, filename="ds.csv", content=GOOD.encode(), skip_invalid=False)
    admin_user.is_active = False
    admin_user.save()
    run_preview_task.call(record.pk, admin_user.pk)
    record.refresh_from_db()
    assert record.status == Status.FAILED and "không còn quyền nhập" in record.failure["vi"]


def test_a_check_waiting_for_a_worker_is_not_taken_for_dead(admin_user, queued_tasks, settings):
    record = preview_import(user=admin_user, filename="ds.csv", content=GOOD.encode(), skip_invalid=False)
    ImportRecord.objects.filter(pk=record.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    assert mark_stale() == 0
    ImportRecord.objects.filter(pk=record.pk).update(phase=Phase.CHECKING)  # taken, then silent
    assert mark_stale() == 1


def test_choosing_columns_has_the_sheet_checked_again_by_a_worker(admin_client, admin_user, queued_tasks):
    record = preview_import(user=admin_user, filename="ds.csv", content=GOOD.encode(), skip_invalid=False)
    run_preview_task.call(record.pk, admin_user.pk)
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/columns/", {})
    record.refresh_from_db()
    assert (record.status, record.phase) == (Status.CHECKING, "")


def test_a_check_its_worker_left_unfinished_is_not_imported_but_checked_again(admin_client, admin_user, queued_tasks):
    record = preview_import(user=admin_user, filename="ds.csv", content=GOOD.encode(), skip_invalid=False)
    ImportRecord.objects.filter(pk=record.pk).update(status=Status.FAILED, phase="")  # its worker died
    page = admin_client.get(f"/admin/imports/importrecord/{record.pk}/change/").content.decode()
    assert 'id="confirm-import' not in page and 'id="check-again"' in page
    admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")
    assert ImportRecord.objects.get(pk=record.pk).status == Status.FAILED and not Rating.objects.exists()


def test_a_confirm_posted_for_a_sheet_with_errors_starts_nothing_and_says_why(admin_client, admin_user):
    record = previewed(admin_user, GOOD + "Bắc Kạn,HTX B,Chè,9,29/12/2021\n")
    response = admin_client.post(f"/admin/imports/importrecord/{record.pk}/confirm/", follow=True)
    assert ImportRecord.objects.get(pk=record.pk).status == Status.PREVIEWED
    assert any("Không thể nhập" in str(m) for m in response.context["messages"])


def test_the_status_says_when_no_worker_has_come(admin_client, admin_user, queued_tasks):
    record = preview_import(user=admin_user, filename="ds.csv", content=GOOD.encode(), skip_invalid=False)
    url = f"/admin/imports/importrecord/{record.pk}/status.json"
    assert admin_client.get(url).json()["no_worker"] is False
    ImportRecord.objects.filter(pk=record.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=2))
    assert admin_client.get(url).json()["no_worker"] is True
