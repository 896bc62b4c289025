"""An edit or an import that waited too long for another writer of the same records says so in
words, saves nothing, and is no server error. (The waits themselves, with real processes:
tests/products/test_concurrent_writes.py.)"""

import sqlite3

import psycopg
import pytest
from django.db import IntegrityError, OperationalError
from django.db.models.signals import pre_save
from django.urls import reverse

from imports.tasks import preview_import
from products.models import RatingDecision

pytestmark = pytest.mark.django_db

WORDS = "Another import or edit of the same records is running"


def busy(*args, **kwargs):
    """Fail as the database does when a wait for another writer runs out."""
    cause = sqlite3.OperationalError("database is locked")
    cause.sqlite_errorcode = 5  # SQLITE_BUSY, as the driver sets it
    raise OperationalError(*cause.args) from cause


@pytest.fixture
def writer_busy():
    """Saving a decision one by one (the admin) waits for another writer too long."""
    pre_save.connect(busy, sender=RatingDecision, dispatch_uid="writer_busy")
    yield
    pre_save.disconnect(sender=RatingDecision, dispatch_uid="writer_busy")


def test_a_decision_entered_while_another_writer_holds_on_too_long_says_so(admin_client, bac_kan, writer_busy):
    response = admin_client.post(reverse("admin:products_ratingdecision_add"), {
        "number": "2616/QĐ-UBND", "date": "29/12/2021", "level": "province", "issuer": bac_kan.pk,
        "issuing_body": "UBND Bắc Kạn", "source_url": "", "note": "",
        "ratings-TOTAL_FORMS": 0, "ratings-INITIAL_FORMS": 0,
    }, follow=True)
    assert WORDS in response.content.decode()
    assert not RatingDecision.objects.exists()


def test_an_import_confirmed_while_another_writer_holds_on_too_long_says_so(admin_client, bac_kan, admin_user,
                                                                            monkeypatch):
    sheet = "Tỉnh,Chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Năm công nhận\nBắc Kạn,HTX Tài Hoan,Miến dong,1,4,2024\n"
    record = preview_import(user=admin_user, filename="ds.csv", content=sheet.encode(), skip_invalid=False)
    monkeypatch.setattr("imports.kinds.products.serialise_writers", busy)  # where an import waits for the others
    response = admin_client.post(reverse("admin:imports_importrecord_confirm", args=[record.pk]), follow=True)
    assert WORDS in response.content.decode()
    assert not RatingDecision.objects.exists()


def created_meanwhile(*args, **kwargs):
    """Fail as PostgreSQL does when a writer that took no lock created the same record meanwhile."""
    raise IntegrityError("duplicate key value violates unique constraint") from psycopg.errors.UniqueViolation()


def test_an_import_meeting_a_record_another_writer_created_meanwhile_says_so(admin_client, bac_kan, admin_user,
                                                                             monkeypatch):
    sheet = "Tỉnh,Chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Năm công nhận\nBắc Kạn,HTX Tài Hoan,Miến dong,1,4,2024\n"
    record = preview_import(user=admin_user, filename="ds.csv", content=sheet.encode(), skip_invalid=False)
    monkeypatch.setattr("imports.kinds.products.store_sequence", created_meanwhile)  # after its inserts
    response = admin_client.post(reverse("admin:imports_importrecord_confirm", args=[record.pk]), follow=True)
    assert "Another import or edit wrote the same records at the same time" in response.content.decode()
    assert not RatingDecision.objects.exists()
