"""The inputs of the admin's inline tables, whose cells hold no <label>, are named after their column;
the autocomplete pickers get their names from a script every admin page loads."""

import re

from django.urls import reverse
from django.utils.text import capfirst


def first_row(admin_client, url):
    response = admin_client.get(url)
    return response.context["inline_admin_formsets"][0].formset.forms[0]


def aria_label(bound_field) -> str | None:
    found = re.search(r'aria-label="([^"]*)"', str(bound_field))
    return found and found[1]


def test_each_input_of_a_decisions_rating_row_is_named_after_its_column(admin_client):
    row = first_row(admin_client, reverse("admin:products_ratingdecision_add"))
    names = {name: aria_label(row[name]) for name in ("stars", "score", "certificate_number", "expires")}
    assert names == {name: capfirst(row[name].label) for name in names}


def test_a_choice_behind_the_add_and_change_icons_is_named_too(admin_client):
    row = first_row(admin_client, reverse("admin:products_producer_add"))
    assert aria_label(row["group"]) == capfirst(row["group"].label)


def test_every_admin_page_loads_the_script_that_names_the_pickers(admin_client):
    response = admin_client.get(reverse("admin:products_product_add"))
    assert "js/admin/picker_names" in response.content.decode()
