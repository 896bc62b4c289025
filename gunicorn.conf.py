"""gunicorn's settings for serving the dashboard, as docs/deployment.md runs it:

    .venv/bin/gunicorn -c gunicorn.conf.py ocop_dashboard.wsgi

Each setting below that an office may need to change reads an environment variable (named beside
it, listed in .env.example); the systemd unit and the container take them from the same
environment as the application.
"""

import os

# The loopback only: the reverse proxy on the same host (deploy/nginx.conf) is the one client, and
# the proxy alone speaks TLS. A container publishes its port to the host's loopback
# (GUNICORN_BIND=0.0.0.0:8000 inside it, compose.yaml). Several addresses: separated by commas.
bind = (os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000").split(",")

# Pages are CPU-bound (a province page is ~100 times a static file): two workers a core keep the
# cores busy while one waits for the database; more only queue behind the same cores.
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * len(os.sched_getaffinity(0)))

# No request reads or writes an import (a worker does), but some run long: an administrator's
# download of the whole national register, or an upload read through the upload gate, take seconds
# at national scale on an idle 2-core server and several times that under load (docs/performance.md,
# "The slowest answers"). gunicorn's default of 30 s would kill them; the proxy waits as long
# (proxy_read_timeout in deploy/nginx.conf).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
# A restart lets a request in flight finish within the same bound (systemd waits longer:
# TimeoutStopSec in deploy/ocop-web.service).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or timeout)

# One line a request on standard output, errors on standard error: journald (or the container
# runtime) keeps both. The client is the last address the proxy appended to X-Forwarded-For, the
# one the application trusts too (ocop_dashboard/auth.py); the time is in milliseconds.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# gunicorn believes X-Forwarded-Proto (and the like) only from these addresses: the proxy on the
# loopback. A container's proxy reaches it from the bridge network's gateway (FORWARDED_ALLOW_IPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"

# Workers tell the arbiter they are alive through a file they touch: in memory, not on a disk that
# may stall (gunicorn's advice for containers, true of any host).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# No control socket (gunicornc): systemd and the container runtime signal the arbiter, and its
# default place, ~/.gunicorn/, is read-only for the service user (ProtectHome) and shared by two
# servers run by one user.
control_socket_disable = True
