"""Settings refuse bad values loudly, and every variable read is documented."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from config import env

ROOT = Path(__file__).resolve().parents[2]


def _settings_with(environment: dict[str, str]) -> subprocess.CompletedProcess:
    code = "import django; from django.conf import settings; django.setup(); print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin", **environment},
        check=False,
    )


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS must be set"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' must start with redis://"),
        ({"SECURE_HSTS_SECONDS": "soon"}, "SECURE_HSTS_SECONDS='soon' is not an integer"),
        (
            {"EMBED_ALLOWED_ORIGINS": "https://mau.gov.vn/trang"},
            "EMBED_ALLOWED_ORIGINS: 'https://mau.gov.vn/trang' is not an origin",
        ),
        ({"ALERT_CONFIRM_HOURS": "0"}, "ALERT_CONFIRM_HOURS, ALERT_CONFIRMATION_MINUTES"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(environment, message):
    result = _settings_with(environment)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_load_when_complete():
    result = _settings_with(
        {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "ranking.example.vn"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_every_variable_read_is_documented():
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    readme = (ROOT / "README.md").read_text()
    assert env.READ, "settings read no variable through config.env"
    assert env.READ <= documented, env.READ - documented
    assert all(f"`{name}`" in readme for name in env.READ), [
        name for name in env.READ if f"`{name}`" not in readme
    ]
