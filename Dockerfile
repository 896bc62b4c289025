# The dashboard as a container image, for offices that run containers: compose.yaml runs it as the
# web server and as the import worker, beside PostgreSQL (docs/deployment.md, "With containers").
# The test suite's machines have no container engine, so this file is not built there: each command
# below is one the tests run as written (install from the lock with hashes, collectstatic, gunicorn
# with gunicorn.conf.py, run_worker, deploy/healthcheck.py).
#
# Debian 13 (trixie) under Python 3.12: its postgresql-client (17) has a pg_dump that can back up
# compose.yaml's PostgreSQL 16 (bookworm's 15 refuses a newer server).
FROM python:3.12-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The production lock alone first: the installed packages stay cached while only the code changes.
COPY requirements/production.txt requirements/production.txt
RUN python -m venv .venv && .venv/bin/pip install --require-hashes -r requirements/production.txt
COPY . .
# Static files into staticfiles/, served by whitenoise. The settings need a key to load; this one
# is never used to sign anything (the container's SECRET_KEY comes from its environment).
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-secret .venv/bin/python manage.py collectstatic --noinput

# The code stays root's, read-only to the service user; /backups (a volume in compose.yaml) is its.
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent ocop \
    && install -d -o ocop -g ocop -m 0750 /backups
USER ocop
ENV PATH=/app/.venv/bin:$PATH \
    GUNICORN_BIND=0.0.0.0:8000
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "ocop_dashboard.wsgi"]
