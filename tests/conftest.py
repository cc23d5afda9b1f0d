import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """Users made in tests hash passwords with MD5: PBKDF2's deliberate slowness (about
    half a second a user) buys nothing in a test. Tests without Django are left alone."""
    uses_django = {"settings", "db", "transactional_db"} & set(request.fixturenames)
    if not uses_django and not request.node.get_closest_marker("django_db"):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture
def world(db):
    """The named world of tests/world.py (imported lazily: tests/scoring needs no Django)."""
    from tests.world import build_world

    return build_world()
