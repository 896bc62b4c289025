"""HEAD works wherever GET does: uptime monitors probe with HEAD. Every address of the dashboard and
provinces apps (and /favicon.ico), taken from the URLconf so that a new one is checked too, answers
HEAD with GET's status and Content-Type and no body: for a visitor of a public dashboard, for one of a
closed dashboard (sent to log in, or refused in JSON), and for a province that does not exist."""

import pytest
from django.urls import URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

NAMESPACES = {"dashboard", "provinces"}
UNNAMED = {"favicon.ico": "/favicon.ico"}
# A value for each parameter the routes take; a route with a new one fails until it is given here.
VALUES = {"slug": "bac-kan", "fmt": "csv", "table": "by-group"}


def routes() -> list[tuple[str, tuple[str, ...]]]:
    """(name or unnamed pattern, its parameters) of every route of NAMESPACES, and the UNNAMED ones."""
    found = []
    for top in get_resolver().url_patterns:
        if isinstance(top, URLResolver):
            if top.namespace in NAMESPACES:
                found += [(f"{top.namespace}:{p.name}", tuple(p.pattern.converters)) for p in top.url_patterns]
        elif str(top.pattern) in UNNAMED:
            found.append((str(top.pattern), ()))
    return found


ROUTES = routes()


def address(route: str, parameters: tuple[str, ...], **values) -> str:
    if route in UNNAMED:
        return UNNAMED[route]
    return reverse(route, kwargs={name: values.get(name, VALUES[name]) for name in parameters})


def head_and_get(client, url: str) -> tuple[tuple, tuple]:
    """(status, Content-Type, body) of HEAD, and of GET with the body taken as empty."""
    head, get = client.head(url), client.get(url)
    return (head.status_code, head.get("Content-Type"), head.content), (get.status_code, get.get("Content-Type"), b"")


def test_every_route_of_the_apps_is_found():
    assert {"dashboard:overview", "dashboard:progress_json", "provinces:provinces_json", "favicon.ico"} <= {
        route for route, _parameters in ROUTES}


@pytest.mark.parametrize(("route", "parameters"), ROUTES, ids=[route for route, _ in ROUTES])
def test_head_answers_as_get_does_without_a_body(client, route, parameters):
    head, get = head_and_get(client, address(route, parameters))
    assert head == get and head[0] in {200, 301}


@pytest.mark.parametrize(("route", "parameters"), ROUTES, ids=[route for route, _ in ROUTES])
def test_head_answers_as_get_does_on_a_closed_dashboard(client, settings, route, parameters):
    settings.OCOP_PUBLIC_DASHBOARD = False
    head, get = head_and_get(client, address(route, parameters))
    assert head == get


@pytest.mark.parametrize(("route", "parameters"), [r for r in ROUTES if "slug" in r[1]],
                         ids=[route for route, parameters in ROUTES if "slug" in parameters])
def test_head_answers_as_get_does_for_a_province_that_does_not_exist(client, route, parameters):
    head, get = head_and_get(client, address(route, parameters, slug="khong-co"))
    assert head == get and head[0] == 404
