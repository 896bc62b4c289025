"""/healthz (the process and its database) and /readyz (migrations applied, an import worker alive),
as monitors and load balancers read them: no login, no cookie, never cached, over plain HTTP too."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db
# Tasks queued in the database, as production has them: then a worker is needed.
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def unreachable(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.fixture
def queued(settings):
    settings.TASKS = QUEUED


def test_healthz_answers_ok_in_plain_text_to_anyone_with_the_dashboards_closed(client, settings):
    settings.OCOP_PUBLIC_DASHBOARD = False
    response = client.get("/healthz")
    assert (response.status_code, response.content, response["Content-Type"]) == (
        200, b"ok", "text/plain; charset=utf-8")


def test_healthz_sets_no_cookie_and_is_never_cached(client):
    response = client.get("/healthz")
    assert not response.cookies and "no-store" in response["Cache-Control"]


def test_healthz_runs_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/healthz")


def test_healthz_answers_503_in_both_languages_when_the_database_does_not_answer(client):
    with connection.execute_wrapper(unreachable):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "Cơ sở dữ liệu không trả lời. / The database does not answer."


def test_healthz_answers_plain_http_while_pages_are_sent_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert (client.get("/healthz").status_code, client.get("/").status_code) == (200, 301)


def test_healthz_answers_a_head_request_as_monitors_send(client):
    assert client.head("/healthz").status_code == 200


def test_healthz_refuses_a_host_the_site_does_not_answer_to(client):
    assert client.get("/healthz", HTTP_HOST="elsewhere.example").status_code == 400


def test_readyz_is_ready_when_migrations_are_applied_and_a_worker_is_alive(client, queued):
    WorkerHeartbeat.record()
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["ready"] is True


def test_readyz_says_no_worker_has_run_when_none_ever_did(client, queued):
    response = client.get("/readyz")
    worker = response.json()["checks"]["worker"]
    assert response.status_code == 503 and worker["ok"] is False
    assert worker["message"].endswith("/ No import worker has run on this database (manage.py run_worker).")


def test_readyz_says_how_long_a_worker_has_been_silent_past_the_bound(client, queued, settings):
    silent = settings.WORKER_STALE_SECONDS + 60
    WorkerHeartbeat.objects.create(pk=1, host="worker-1", seen_at=timezone.now() - datetime.timedelta(seconds=silent))
    worker = client.get("/readyz").json()["checks"]["worker"]
    assert (worker["ok"], worker["seconds_ago"]) == (False, silent)


def test_readyz_needs_no_worker_where_tasks_run_at_once(client):
    assert client.get("/readyz").json()["checks"]["worker"] == {"ok": True, "needed": False}


def test_readyz_names_the_migrations_not_applied(client, queued):
    WorkerHeartbeat.record()
    MigrationRecorder(connection).record_unapplied("core", "0002_worker_heartbeat")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["unapplied"] == ["core.0002_worker_heartbeat"]


def test_readyz_says_the_database_does_not_answer_and_checks_nothing_else(client, queued):
    with connection.execute_wrapper(unreachable):
        response = client.get("/readyz")
    assert response.status_code == 503 and list(response.json()["checks"]) == ["database"]


def test_readyz_answers_plain_http_and_is_never_cached(client, queued, settings):
    settings.SECURE_SSL_REDIRECT = True
    WorkerHeartbeat.record()
    response = client.get("/readyz")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]



def test_readyz_checks_no_worker_before_every_migration_is_applied(client, queued):
    # The heartbeat's table is a migration's: on a database migrated part of the way it may not exist.
    MigrationRecorder(connection).record_unapplied("core", "0002_worker_heartbeat")
    response = client.get("/readyz")
    assert response.status_code == 503 and list(response.json()["checks"]) == ["database", "migrations"]
