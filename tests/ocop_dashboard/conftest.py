import pytest


@pytest.fixture(autouse=True)
def public(public_dashboard):
    """These tests read the pages as everyone may once the dashboard is public; who may read them
    when it is not is tested in tests/accounts/."""
