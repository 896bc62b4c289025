"""Exit 0 when the URL (default http://127.0.0.1:8000/healthz) answers 200, else 1 with the reason:
the container's health check (compose.yaml), in an image that has Python but no curl.

The Host header is the first of ALLOWED_HOSTS, as the proxy sends it: the application refuses a
host it does not answer to.
"""

import os
import sys
import urllib.request

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"
host = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")[0].lstrip(".")  # ".example.vn": any subdomain
request = urllib.request.Request(url, headers={"Host": "localhost" if host == "*" else host})
try:
    with urllib.request.urlopen(request, timeout=10) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:  # refused, timed out, or an HTTP error status
    sys.exit(f"{url}: {error}")
