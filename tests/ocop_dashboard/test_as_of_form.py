from django.utils import translation

from ocop_dashboard.forms import AsOfForm


def rendered(value: str) -> str:
    return str(AsOfForm({"as_of": value})["as_of"])


def test_a_date_from_a_link_shows_as_day_month_year():
    assert 'value="31/07/2023"' in rendered("2023-07-31")


def test_a_typed_date_shows_as_typed():
    assert 'value="31/12/2020"' in rendered("31/12/2020")


def test_what_cannot_be_read_shows_as_it_was_written():
    assert 'value="31/02/2020"' in rendered("31/02/2020")


def read(value: str):
    form = AsOfForm({"as_of": value})
    return form.is_valid() and form.day().isoformat()


def test_a_date_with_dashes_or_dots_reads_day_first():
    assert [read("05-09-2020"), read("05.09.2020")] == ["2020-09-05", "2020-09-05"]


def test_a_date_it_cannot_read_is_refused_naming_the_format():
    with translation.override("vi"):
        errors = AsOfForm({"as_of": "2020/31/12"}).errors["as_of"]
    assert errors == ["Nhập ngày theo dạng dd/mm/yyyy, ví dụ 31/07/2023."]
