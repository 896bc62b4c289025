"""Reference data is installed by the migrations: no import waits on a `loaddata` someone forgot."""

import json
from pathlib import Path

import pytest

from products.models import ProductGroup
from targets.models import Indicator

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize("model, fixture", [(ProductGroup, "product_groups"), (Indicator, "indicators")])
def test_the_migrations_install_the_reference_data(model, fixture):
    entries = json.loads((FIXTURES / f"{fixture}.json").read_text(encoding="utf-8"))
    assert sorted(model.objects.values_list("name", flat=True)) == sorted(e["fields"]["name"] for e in entries)
