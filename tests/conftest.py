"""Test infrastructure: where PostgreSQL and RabbitMQ come from, and the running system.

Nothing is set up until a test asks for it: the `infrastructure` fixture, on which `system` and
the service and chassis tests depend, takes the addresses, in this order, from CRM_TEST_PG_URL /
CRM_TEST_AMQP_URI, from containers started with testcontainers when a Docker engine answers, or
from the local servers (the test profile of deploy/local/crm_local.py: databases crm_test_*, vhost
crm_test), which it starts or installs where needed. The unit tests need none of it. The end of
the test output says which source was used.

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
from contextlib import ExitStack  # noqa: E402

import pytest  # noqa: E402

from tests.support.system import System, run_runner, runner  # noqa: E402

RESOLVED = pytest.StashKey[dict[str, str]]()


def _docker_answers() -> bool:
    return shutil.which("docker") is not None and subprocess.run(
        ["docker", "info"], capture_output=True).returncode == 0


def _provide_servers(cleanup: ExitStack) -> dict[str, str]:
    """Makes PostgreSQL and RabbitMQ answer and says where they come from."""
    if os.environ.get("CRM_TEST_PG_URL") and os.environ.get("CRM_TEST_AMQP_URI"):
        return {"servers": "environment", "source": "environment (CRM_TEST_PG_URL, CRM_TEST_AMQP_URI)"}
    if _docker_answers():
        from testcontainers.community.postgres import PostgresContainer
        from testcontainers.community.rabbitmq import RabbitMqContainer

        postgres = PostgresContainer("postgres:15", username="postgres", password="postgres").start()
        cleanup.callback(postgres.stop)
        rabbit = RabbitMqContainer("rabbitmq:3-management").start()
        cleanup.callback(rabbit.stop)
        host, port = postgres.get_container_host_ip(), postgres.get_exposed_port(5432)
        os.environ["CRM_TEST_PG_URL"] = f"postgresql+psycopg2://postgres:postgres@{host}:{port}"
        os.environ["CRM_TEST_AMQP_URI"] = (
            f"amqp://guest:guest@{rabbit.get_container_host_ip()}:{rabbit.get_exposed_port(5672)}/"
        )
        return {"servers": "containers", "source": "testcontainers (a Docker engine answered)"}
    run_runner("infra")  # starts or installs them where needed, and creates the test vhost
    return {"servers": "local", "source": "local servers (no Docker engine; deploy/local/crm_local.py infra)"}


@pytest.fixture(scope="session")
def infrastructure(request) -> dict[str, str]:
    """PostgreSQL and RabbitMQ for the test profile: `postgres` (a server URL without a database),
    `rabbitmq` (an AMQP URI with the test vhost), `db_prefix` of the test databases, `servers`
    (environment, containers or local: only local ones may be restarted by a test) and `source`."""
    with ExitStack() as cleanup:
        resolved = _provide_servers(cleanup)
        pg_url, amqp_uri = runner("addresses")
        resolved.update(postgres=pg_url, rabbitmq=amqp_uri, db_prefix=runner("db_prefix"))
        request.config.stash[RESOLVED] = resolved
        yield dict(resolved)


def pytest_terminal_summary(terminalreporter, config):
    resolved = config.stash.get(RESOLVED, None)
    if resolved is None:
        return  # no test needed it
    terminalreporter.write_sep("-", f"infrastructure: {resolved['source']}")
    terminalreporter.write_line(f"PostgreSQL: {resolved['postgres']}")
    terminalreporter.write_line(f"RabbitMQ:   {resolved['rabbitmq']}")


@pytest.fixture(scope="session")
def system(infrastructure) -> System:
    """The whole system running in the test profile, on fresh databases and a fresh vhost."""
    started = System.start()
    yield started
    started.stop()
