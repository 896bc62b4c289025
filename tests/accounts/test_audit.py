"""The audit trail: every change to the register says who made it, when, from which import, and
the values before and after."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from imports.models import ImportRecord
from imports.services import confirm_import, import_figures
from imports.tasks import preview_import
from products.models import Producer, Product, Rating, RatingDecision
from targets.models import ReportedFigure

pytestmark = pytest.mark.django_db
SHEET = ("Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Điểm,Ngày quyết định\n"
         "Bắc Kạn,HTX Tài Hoan,Miến dong,{stars},{score},29/12/2021\n")


def upload(user, stars=3, score=60) -> ImportRecord:
    record = preview_import(user=user, filename="ds.csv", content=SHEET.format(stars=stars, score=score).encode(),
                            skip_invalid=False)
    confirm_import(record=record)
    return record


def command(tmp_path, user, stars=3, *options):
    path = tmp_path / "ds.csv"
    path.write_text(SHEET.format(stars=stars, score=60), encoding="utf-8")
    call_command("import_ocop", str(path), "--user", user.username, *options)


def test_the_command_names_its_user_and_its_import_in_the_audit_trail(bac_kan, staff_a, tmp_path):
    command(tmp_path, staff_a)
    trail, record = Rating.history.get(), ImportRecord.objects.get()
    assert (trail.history_user, trail.history_import, record.user, record.status) == (
        staff_a, record, staff_a, ImportRecord.Status.IMPORTED)


def test_the_commands_import_is_listed_to_the_staff_of_its_province(bac_kan, staff_a, tmp_path):
    command(tmp_path, staff_a)
    assert list(ImportRecord.objects.get().provinces.all()) == [bac_kan]


def test_a_command_import_refused_for_its_errors_leaves_no_record(bac_kan, staff_a, tmp_path):
    with pytest.raises(SystemExit):
        command(tmp_path, staff_a, 7)
    assert not ImportRecord.objects.exists()


def test_a_dry_run_leaves_no_record(bac_kan, staff_a, tmp_path):
    command(tmp_path, staff_a, 3, "--dry-run")
    assert not ImportRecord.objects.exists() and not Rating.objects.exists()


def test_a_rating_changed_in_the_admin_keeps_who_when_and_the_stars_before(make, client, staff_a):
    rating = make.rate(make.product(), "2021-12-29", 3, score=60)
    client.force_login(staff_a)
    url = reverse("admin:products_rating_change", args=[rating.pk])
    client.post(url, {"product": rating.product_id, "decision": rating.decision_id, "stars": 4, "score": 75,
                      "expires": "29/12/2024", "certificate_number": "", "revoked_on": "", "note": ""})
    latest = Rating.history.filter(id=rating.pk).latest()
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
    assert (latest.history_user, changes["stars"]) == (staff_a, (3, 4))


def test_ratings_written_by_an_import_name_the_importer_and_the_import(bac_kan, staff_a):
    record = upload(staff_a)
    trail = Rating.history.get()
    assert (trail.history_type, trail.history_user, trail.history_import) == ("+", staff_a, record)


def test_a_later_import_changing_a_rating_is_a_second_entry_with_the_old_stars(bac_kan, staff_a, administrator):
    upload(staff_a)
    second = upload(administrator, stars=4, score=75)
    latest = Rating.history.latest()
    assert ((latest.history_import, latest.history_user, latest.prev_record.stars, latest.stars)
            == (second, administrator, 3, 4))


def test_producers_from_an_import_are_in_the_trail_too(bac_kan, staff_a):
    record = upload(staff_a)
    assert Producer.history.get().history_import == record


def test_a_figure_import_is_traced_to_its_record(bac_kan, administrator):
    record = ImportRecord.objects.create(user=administrator, kind="figures", filename="f.csv", sha256="0" * 64,
                                         content=b"")
    content = "Tỉnh,Chỉ tiêu,Ngày số liệu,Giá trị,Nguồn\nBắc Kạn,products,31/12/2022,150,Báo Bắc Kạn\n".encode()
    import_figures(content=content, filename="f.csv", record=record)
    assert ReportedFigure.history.get().history_import == record


def test_a_deleted_rating_stays_in_the_trail(make, admin_client):
    rating = make.rate(make.product(), "2021-12-29", 3)
    admin_client.post(reverse("admin:products_rating_delete", args=[rating.pk]), {"post": "yes"})
    assert list(Rating.history.values_list("history_type", flat=True).order_by("history_date")) == ["+", "-"]


def test_the_ratings_page_shows_its_changes_with_the_user(make, client, staff_a):
    rating = make.rate(make.product(), "2021-12-29", 3, score=60)
    rating.stars, rating.score, rating._history_user = 4, 75, staff_a
    rating.save()
    client.force_login(staff_a)
    page = client.get(reverse("admin:products_rating_history", args=[rating.pk])).content.decode()
    assert staff_a.username in page and "&rarr;" in page


def test_the_change_log_filters_by_user(make, admin_client, staff_a, administrator):
    first, second = make.rate(make.product("A"), "2021-12-29", 3), make.rate(make.product("B"), "2021-12-29", 3)
    for rating, user in ((first, staff_a), (second, administrator)):
        rating.stars, rating.score, rating._history_user = 4, None, user
        rating.save()
    page = admin_client.get(reverse("admin:products_historicalrating_changelist"),
                            {"history_user__id__exact": staff_a.pk})
    assert page.context["cl"].result_count == 1


def change_log(client, user, model="rating"):
    client.force_login(user)
    return client.get(reverse(f"admin:products_historical{model}_changelist")).context["cl"]


def test_staff_read_their_provinces_change_log(make, client, staff_a):
    make.rate(make.product(), "2021-12-29", 3)
    assert change_log(client, staff_a).result_count == 1


def test_staff_of_another_province_see_nothing_of_it_in_the_change_log(make, client, staff_a, staff_b):
    rating = make.rate(make.product(), "2021-12-29", 3)
    rating.stars, rating.score, rating._history_user = 4, None, staff_a
    rating.save()
    cl = change_log(client, staff_b)
    users = [choice["display"] for spec in cl.filter_specs for choice in spec.choices(cl)]
    assert (cl.result_count, staff_a.username in users) == (0, False)


def test_leadership_read_the_change_log(make, client, leader):
    make.producer()
    assert change_log(client, leader, "producer").result_count == 1


def test_the_history_page_speaks_vietnamese(make, admin_client):
    rating = make.rate(make.product(), "2021-12-29", 3)
    page = admin_client.get(reverse("admin:products_rating_history", args=[rating.pk])).content.decode()
    assert ("Người thực hiện" in page, "Lần nhập bảng tính" in page, "Changed by" in page) == (True, True, False)


def test_every_record_an_import_creates_has_one_entry_holding_its_values(bac_kan, staff_a):
    record = upload(staff_a)
    for model in (Producer, Product, RatingDecision, Rating):
        tracked = [f.attname for f in model.history.model.tracked_fields]
        stored = list(model.objects.order_by("pk").values_list("pk", *tracked))
        trail = list(model.history.filter(history_type="+", history_user=staff_a, history_import=record)
                     .order_by("id").values_list("id", *tracked))
        assert trail == stored, model.__name__


def test_a_command_import_cancelled_on_its_page_before_it_writes_stops_and_says_so(bac_kan, staff_a, tmp_path,
                                                                                   monkeypatch):
    from imports.management.commands import import_ocop
    from imports.tasks import cancel_import

    class CancelledOnItsPage(import_ocop.Progress):  # a cancel arriving from the admin while it reads
        def __call__(self, phase, done, total):
            cancel_import(ImportRecord.objects.get(pk=self.pk))
            super().__call__(phase, done, total)
    monkeypatch.setattr(import_ocop, "Progress", CancelledOnItsPage)
    with pytest.raises(CommandError, match="nothing was written"):
        command(tmp_path, staff_a)
    assert ImportRecord.objects.get().status == ImportRecord.Status.CANCELLED and not Rating.objects.exists()


def test_a_command_import_says_it_is_alive_so_a_dead_one_is_marked_failed(bac_kan, staff_a, tmp_path):
    command(tmp_path, staff_a)
    assert ImportRecord.objects.get().heartbeat_at is not None
