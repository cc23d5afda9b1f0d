from io import StringIO

import pytest


def _uses_django(request) -> bool:
    uses = {"settings", "db", "transactional_db"} & set(request.fixturenames)
    return bool(uses) or request.node.get_closest_marker("django_db") is not None


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """Users made in tests hash passwords with MD5: PBKDF2's deliberate slowness (about
    half a second a user) buys nothing in a test. Tests without Django are left alone."""
    if not _uses_django(request):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture(autouse=True)
def _empty_page_cache(request):
    """Every test starts with no cached page and no memoised publication generation: the
    test databases reuse ids, so a page of the previous test could match a key."""
    if _uses_django(request):
        from rankings.public import page_cache

        page_cache.clear()
    yield


@pytest.fixture(autouse=True)
def _vietnamese_again_after_each_test(request):
    """A test that switches the thread's language (translation.activate, a sign-in that
    applies a stored preference) does not leave the next test in English."""
    yield
    if _uses_django(request):
        from django.conf import settings
        from django.utils import translation

        translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """The named world of tests/world.py (imported lazily: tests/scoring needs no Django)."""
    from tests.world import build_world

    return build_world()


@pytest.fixture
def demo_and_national(db):
    """The demo plus a national subset (26 provinces, 2019, seed 42): what the bulk paths
    (year recompute, national CSV) must agree with the per-cycle path on."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    call_command(
        "seed_national", "--seed", "42", "--provinces", "26", "--years", "2019", stdout=StringIO()
    )
