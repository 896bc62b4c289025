"""The demo flag and the import that last wrote a rating are the application's bookkeeping: staff
do not see them on forms (administrators do), and a staff save leaves them as they were."""

import pytest
from django.urls import reverse

from imports.models import ImportRecord
from products.models import Rating
from tests.admin.test_constraint_messages import form_data

pytestmark = pytest.mark.django_db


def form_fields(client, url) -> set[str]:
    return set(client.get(url).context["adminform"].form.fields)


@pytest.mark.parametrize("model", ["producer", "product", "ratingdecision"])
def test_staff_do_not_see_the_demo_flag(login, staff_a, model):
    assert "is_demo" not in form_fields(login(staff_a), reverse(f"admin:products_{model}_add"))


@pytest.mark.parametrize("model", ["producer", "product", "ratingdecision"])
def test_administrators_see_the_demo_flag(admin_client, model):
    assert "is_demo" in form_fields(admin_client, reverse(f"admin:products_{model}_add"))


def test_staff_do_not_see_the_import_that_last_wrote_a_rating(login, staff_a, make):
    rating = make.rate(make.product(), make.decision("2021-12-29"), 3)
    assert "import_record" not in form_fields(login(staff_a), reverse("admin:products_rating_change", args=[rating.pk]))


def test_a_staff_save_keeps_the_demo_flag(login, staff_a, make):
    product = make.product(is_demo=True)
    client, url = login(staff_a), reverse("admin:products_product_change", args=[product.pk])
    response = client.post(url, form_data(client.get(url)) | {"name": "Miến dong Na Rì"})
    product.refresh_from_db()
    assert response.status_code == 302
    assert (product.name, product.is_demo) == ("Miến dong Na Rì", True)


def test_a_staff_save_keeps_the_import_that_last_wrote_the_rating(login, staff_a, make):
    record = ImportRecord.objects.create(filename="ds.xlsx")
    rating = make.rate(make.product(), make.decision("2021-12-29"), 3, import_record=record)
    client, url = login(staff_a), reverse("admin:products_rating_change", args=[rating.pk])
    response = client.post(url, form_data(client.get(url)) | {"certificate_number": "15/GCN"})
    rating = Rating.objects.get()
    assert response.status_code == 302
    assert (rating.certificate_number, rating.import_record) == ("15/GCN", record)
