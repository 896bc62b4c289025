from functools import partial

from .roles import enters_data


def account(request) -> dict:
    """What the pages' header shows of the visitor beside Django's `user`: the link to data entry,
    asked (a template calls it) only where a page shows it."""
    return {"enters_data": partial(enters_data, request.user)}
