import pytest

from agencies.models import Block, Province
from agencies.units import blocks_ensure


@pytest.fixture
def cao_bang(db):
    """Cao Bằng before the 2025 reform: not in the demo, set up from nothing."""
    blocks_ensure()
    return Province.objects.create(code="04", name="Cao Bằng")


@pytest.fixture
def departments(cao_bang):
    return Block.objects.get(slug="departments")
