"""Unit tests need nothing running: a unit test asking for the infrastructure (or the system,
which stands on it) fails at once instead of quietly starting servers."""
import pytest


@pytest.fixture(scope="session")
def infrastructure():
    pytest.fail("a unit test needs nothing running: move a test that needs PostgreSQL or RabbitMQ "
                "to tests/service, tests/chassis or tests/e2e")
