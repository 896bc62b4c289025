"""A title naming its issuer without a place ("… của UBND tỉnh") takes the place from the title
block's authority line ("ỦY BAN NHÂN DÂN TỈNH BẮC KẠN", often merged at the top left)."""

import pytest

from imports.titles import decision_in_title
from products.models import Rating, RatingDecision

from .test_real_layouts import HEADER, PRODUCTS, run, workbook

pytestmark = pytest.mark.django_db

PLACELESS = "(Kèm theo Quyết định số 12/QĐ-UBND ngày 1/2/2024 của UBND tỉnh)"


def published(authority=("ỦY BAN NHÂN DÂN TỈNH BẮC KẠN",), title=PLACELESS):
    """An annex whose authority line (one row, or two) is merged over A:C beside the national motto."""
    motto = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    top = [[line, None, None, motto[index] if index < 2 else None] for index, line in enumerate(authority)]
    rows = [*top, [], [title], HEADER, *PRODUCTS]
    return workbook(("Phụ lục", rows, [f"A{number}:C{number}" for number in range(1, len(top) + 1)]))


def title(*lines):
    return decision_in_title(list(enumerate(lines, 1)))


def test_a_placeless_issuer_takes_the_province_from_the_authority_line(db):
    result = run(published())
    assert (result.created, result.failed_rows) == (3, 0), [str(e) for e in result.errors]
    assert {(r.product.province.slug, r.decision.level) for r in Rating.objects.select_related(
        "product__province", "decision")} == {("bac-kan", RatingDecision.Level.PROVINCE)}


def test_the_preview_says_the_province_came_from_the_authority_line(db):
    notes = [w.text("en") for w in run(published(title=PLACELESS.replace("UBND", "Ủy ban nhân dân")),
                                       dry_run=True).warnings]
    assert any("Bắc Kạn" in note and "row 1" in note for note in notes), notes


def test_an_authority_over_two_lines_is_read(db):
    result = run(published(authority=("UỶ BAN NHÂN DÂN", "TỈNH BẮC KẠN")), dry_run=True)
    assert (result.created, result.failed_rows) == (3, 0), [str(e) for e in result.errors]


def test_a_district_authority_does_not_answer_for_a_province_issuer(db):
    result = run(published(authority=("UBND HUYỆN NA RÌ",)), dry_run=True)
    assert {error.column for error in result.errors} == {"province"}


def test_a_placeless_district_issuer_takes_the_district_and_its_level():
    found = title("UBND HUYỆN NA RÌ", "(Kèm theo Quyết định số 5/QĐ-UBND ngày 1/2/2024 của Ủy ban nhân dân huyện)")
    assert (found["district"], found["level"]) == (("Na Rì", 1), ("huyện", 1))


def test_a_title_naming_no_issuer_takes_the_province_alone():
    found = title("UBND TỈNH BẮC KẠN", "(Kèm theo Quyết định số 5/QĐ-UBND ngày 1/2/2024)")
    assert (found.get("province"), "level" in found) == (("Bắc Kạn", 1), False)


def test_an_issuer_naming_its_place_is_not_overridden_by_the_authority():
    found = title("UBND TỈNH BẮC KẠN", "(Kèm theo Quyết định số 5/QĐ-UBND ngày 1/2/2024 của UBND tỉnh Cao Bằng)")
    assert found["province"] == ("Cao Bằng", 2)


def test_a_decision_number_above_is_not_an_authority_line():
    found = title("Căn cứ Kế hoạch 246/KH-UBND tỉnh Lạng Sơn", PLACELESS)
    assert "province" not in found
