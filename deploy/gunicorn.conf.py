"""gunicorn for the site, behind nginx (deploy/nginx/): `gunicorn -c deploy/gunicorn.conf.py`.

The figures are bench/README.md's: 3 workers of 4 threads on 2 cores; workers recycled
after about 1,000 requests. nginx buffers whole requests and answers, so a thread is never
held by a slow client. Every value can be overridden on the command line.
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "unix:/run/egov/gunicorn.sock")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 1000
max_requests_jitter = 100

# The same header limits as nginx (large_client_header_buffers 4 8k), should anything
# reach gunicorn directly.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# X-Forwarded-Proto only from nginx on this host; the app reads X-Forwarded-For itself
# (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = "-"
errorlog = "-"
