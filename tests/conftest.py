import pytest


@pytest.fixture
def world(db):
    """The named world of tests/world.py (imported lazily: tests/scoring needs no Django)."""
    from tests.world import build_world

    return build_world()
