from ocop_dashboard.forms import AsOfForm


def rendered(value: str) -> str:
    return str(AsOfForm({"as_of": value})["as_of"])


def test_a_date_from_a_link_shows_as_day_month_year():
    assert 'value="31/07/2023"' in rendered("2023-07-31")


def test_a_typed_date_shows_as_typed():
    assert 'value="31/12/2020"' in rendered("31/12/2020")


def test_what_cannot_be_read_shows_as_it_was_written():
    assert 'value="31/02/2020"' in rendered("31/02/2020")
