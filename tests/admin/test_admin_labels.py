"""The admin reads as the programme's, in Vietnamese: its header and titles, the search icon, a
yes/no shown read-only, and one set of names for a decision's level on every form."""

import re

from django.contrib.admin.utils import display_for_field
from django.db import models
from django.urls import reverse
from django.utils import translation

from imports.forms import UploadForm
from products.models import RatingDecision


def test_every_admin_page_is_headed_with_the_programme_not_django(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("admin:index")).content.decode()
    assert "OCOP — Nhập liệu và quản trị" in page
    assert "Django" not in re.sub(r"<script.*?</script>|<[^>]*>", "", page, flags=re.S)


def test_a_page_title_names_the_programme(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("admin:products_product_changelist")).content.decode()
    assert re.search(r"<title>[^<]*\| Nhập liệu OCOP</title>", page)


def test_the_search_icon_is_named_in_vietnamese(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("admin:products_product_changelist")).content.decode()
    assert 'alt="Tìm kiếm"' in page and 'alt="Search"' not in page


def test_a_yes_or_no_shown_read_only_is_named_in_vietnamese():
    with translation.override("vi"):
        shown = [display_for_field(value, models.BooleanField(), "") for value in (True, False)]
    assert [re.search(r'alt="([^"]*)"', html)[1] for html in shown] == ["Có", "Không"]


def test_the_upload_form_names_the_levels_as_the_decision_form_does():
    with translation.override("vi"):
        offered = sorted(str(label) for value, label in UploadForm.base_fields["level"].choices if value)
        assert offered == sorted(str(label) for _value, label in RatingDecision.Level.choices)
