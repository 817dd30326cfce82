"""Test infrastructure: where PostgreSQL and RabbitMQ come from, and the running system.

Addresses are taken, in this order, from CRM_TEST_PG_URL / CRM_TEST_AMQP_URI, from
containers started with testcontainers when a Docker engine answers, or from the local
servers (the test profile of deploy/local/crm_local.py: databases crm_test_*, vhost
crm_test). The header of the test output says which.

Browser tests run in a pytest process of their own (CRM_TEST_BROWSER=1, see the Makefile):
Playwright's greenlets and eventlet's hub cannot share one process, and the nameko containers
of the service tests need eventlet's monkey-patching before anything else is imported.
"""
import os

BROWSER_RUN = os.environ.get("CRM_TEST_BROWSER") == "1"
if BROWSER_RUN:  # only tests/browser
    collect_ignore = [entry.name for entry in os.scandir(os.path.dirname(__file__))
                      if entry.is_dir() and entry.name not in ("browser", "support", "__pycache__")]
else:
    import eventlet

    eventlet.monkey_patch()  # nameko containers in the service tests need it; before other imports
    collect_ignore = ["browser"]

import shutil  # noqa: E402
import subprocess  # noqa: E402

import pytest  # noqa: E402

from tests.support.system import System, run_runner, runner  # noqa: E402

INFRASTRUCTURE: dict[str, str] = {}


def _docker_answers() -> bool:
    return shutil.which("docker") is not None and subprocess.run(
        ["docker", "info"], capture_output=True).returncode == 0


def _resolve_infrastructure(config) -> None:
    if os.environ.get("CRM_TEST_PG_URL") and os.environ.get("CRM_TEST_AMQP_URI"):
        INFRASTRUCTURE["source"] = "environment (CRM_TEST_PG_URL, CRM_TEST_AMQP_URI)"
    elif _docker_answers():
        from testcontainers.community.postgres import PostgresContainer
        from testcontainers.community.rabbitmq import RabbitMqContainer

        postgres = PostgresContainer("postgres:15", username="postgres", password="postgres").start()
        rabbit = RabbitMqContainer("rabbitmq:3-management").start()
        config.add_cleanup(postgres.stop)
        config.add_cleanup(rabbit.stop)
        host, port = postgres.get_container_host_ip(), postgres.get_exposed_port(5432)
        os.environ["CRM_TEST_PG_URL"] = f"postgresql+psycopg2://postgres:postgres@{host}:{port}"
        os.environ["CRM_TEST_AMQP_URI"] = (
            f"amqp://guest:guest@{rabbit.get_container_host_ip()}:{rabbit.get_exposed_port(5672)}/"
        )
        INFRASTRUCTURE["source"] = "testcontainers (a Docker engine answered)"
    else:
        INFRASTRUCTURE["source"] = "local servers (no Docker engine; deploy/local/crm_local.py infra)"
        run_runner("infra")  # starts or installs them where needed, and creates the test vhost
    pg_url, amqp_uri = runner("addresses")
    INFRASTRUCTURE.update(postgres=pg_url, rabbitmq=amqp_uri, db_prefix=runner("db_prefix"))


def pytest_configure(config):
    _resolve_infrastructure(config)


def pytest_report_header(config):
    return [
        f"infrastructure: {INFRASTRUCTURE['source']}",
        f"  PostgreSQL: {INFRASTRUCTURE['postgres']}",
        f"  RabbitMQ:   {INFRASTRUCTURE['rabbitmq']}",
    ]


@pytest.fixture(scope="session")
def infrastructure() -> dict[str, str]:
    return dict(INFRASTRUCTURE)


@pytest.fixture(scope="session")
def system() -> System:
    """The whole system running in the test profile, on fresh databases and a fresh vhost."""
    started = System.start()
    yield started
    started.stop()
