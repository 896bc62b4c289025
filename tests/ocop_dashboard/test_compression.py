"""Answers are gzipped for a browser that accepts it, except what is compressed already."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import GZipMiddleware

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("fmt", "encoding"), [("xlsx", None), ("csv", "gzip")])
def test_a_workbook_download_is_not_gzipped_again_and_a_csv_is(register, client, fmt, encoding):
    response = client.get(f"/tinh/bac-kan/san-pham.{fmt}", {"as_of": "2023-07-31"}, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response.get("Content-Encoding") == encoding


def test_a_page_is_still_gzipped(register, client):
    response = client.get("/tinh/bac-kan/", {"as_of": "2023-07-31"}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(("content_type", "encoding"), [("image/png", None), ("image/svg+xml", "gzip")])
def test_an_image_is_not_gzipped_but_an_svg_is(content_type, encoding):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    response = GZipMiddleware(lambda request: HttpResponse(b"<svg>" + b" " * 1000, content_type=content_type))(request)
    assert response.get("Content-Encoding") == encoding
