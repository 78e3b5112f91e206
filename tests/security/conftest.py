"""What the security tests share: a city to report in, and rate-limit state that never leaks between tests."""

import pytest

from huesmart import ratelimit


@pytest.fixture(autouse=True)
def _cache_answers_again():
    """A test that breaks the cache makes this process skip the cache for a while: not the next test's process."""
    ratelimit._cache_down_until = 0.0
    yield
    ratelimit._cache_down_until = 0.0


def report(category, **overrides):
    """What the report page sends, without files."""
    data = {
        "category": str(category.pk),
        "description": "Xe máy đậu kín vỉa hè trước chợ Đông Ba",
        "latitude": "16.470000",
        "longitude": "107.590000",
        "address": "Trần Hưng Đạo",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
