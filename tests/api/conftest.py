"""Fixtures of the API tests: a clean throttle cache, and a live demo server.

The live server is the real thing, as in tests/browser/conftest.py: `migrate`, `seed_demo`
and `runserver` in a subprocess on a free port, with its own SQLite file. Its throttle
rates are raised so the schemathesis run is not throttled.
"""

import pytest

from tests.live import serve_demo


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    """Throttle counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def live_api(tmp_path_factory):
    """The demo with throttles raised, so the schemathesis run is not throttled."""
    rates = {"API_THROTTLE_ANON": "100000/minute", "API_THROTTLE_USER": "100000/minute"}
    yield from serve_demo(tmp_path_factory, "api-demo", env=rates, ready="/api/v1/blocks/")
