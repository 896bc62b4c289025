"""Loaded with `-p tests.pytest_env` before Django starts: the environment every test run gets."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
# Whitenoise's manifest storage needs collectstatic; tests serve static files plainly.
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
# The test client speaks plain HTTP; production redirects it to HTTPS (tested on its own).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# A developer's .env (written by `make run`: DEBUG on) must not change what the tests see.
os.environ.setdefault("OCOP_ENV_FILE", "")
# Imports run inside the request, as if a worker had taken them at once; tests/imports/test_worker.py
# runs a real worker.
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
