"""Create a service's database if it is missing and bring it to the newest Alembic revision.

    crm-migrate CONFIG PACKAGE       e.g. crm-migrate services/leads/crm_leads/config.yml crm_leads
    crm-migrate --url URL PACKAGE    e.g. crm-migrate --url "$GATEWAY_DATABASE_URL" crm_gateway

Each service keeps its revisions in `<package>/migrations/`; their `env.py` is two lines
that call `run_alembic_env(metadata)`.
"""
import argparse

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config

from crm_chassis.config import load_config


def ensure_database(url: str) -> None:
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).first()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def upgrade(url: str, package: str, revision: str = "head") -> None:
    ensure_database(url)
    config = Config()
    config.set_main_option("script_location", f"{package}:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, revision)


def run_alembic_env(target_metadata: sa.MetaData) -> None:
    """The body of every service's migrations/env.py (online migrations only)."""
    engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("config", nargs="?", help="a service config.yml giving DATABASE_URL")
    source.add_argument("--url", help="the database URL itself")
    parser.add_argument("package")
    args = parser.parse_args()
    url = args.url or load_config(args.config)["DATABASE_URL"]
    upgrade(url, args.package)
    print(f"{args.package}: migrated {sa.make_url(url).database}")
