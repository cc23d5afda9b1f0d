"""System checks of the runtime under the site (`manage.py check --deploy`).

CVE-2024-7592: `http.cookies` unquoted a quoted cookie value in quadratic time before
Python 3.12.6 (3.13.0 has the fix). Django parses the `Cookie:` header of every request
with it, so on such a runtime one anonymous `GET /healthz` with `Cookie: a="\\\\\\…` (80,000
backslashes) held a worker for 15 s. nginx in front refuses such a header (deploy/), and
this check refuses the runtime itself.
"""

import sys

from django.core.checks import Error, Tags, register

# The first 3.12 release with the fixed parser; 3.13.0 and later have it too.
MINIMUM_PYTHON = (3, 12, 6)


def runtime_errors(version: tuple[int, ...]) -> list[Error]:
    if tuple(version[:3]) >= MINIMUM_PYTHON:
        return []
    found = ".".join(str(part) for part in version[:3])
    wanted = ".".join(str(part) for part in MINIMUM_PYTHON)
    return [
        Error(
            f"Python {found} parses cookies in quadratic time (CVE-2024-7592): one request "
            "with a crafted Cookie header costs seconds of CPU.",
            hint=f"Run the site on Python {wanted} or later (.python-version names 3.13).",
            id="config.E001",
        )
    ]


@register(Tags.security, deploy=True)
def python_runtime(app_configs=None, **kwargs) -> list[Error]:
    return runtime_errors(sys.version_info[:3])
