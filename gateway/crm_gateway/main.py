"""`crm-gateway serve | create-user`. Migrations run with `crm-migrate` like every service's."""
import argparse
import asyncio
import getpass
import logging.config
import os

from aiohttp import web

from crm_gateway.settings import Settings


def configure_logging() -> None:
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter",
                                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["stdout"]},
        "loggers": {"aiohttp.access": {"level": "WARNING"}},
    })


async def create_user(settings: Settings, login: str, full_name: str, role: str, password: str) -> str:
    from sqlalchemy.ext.asyncio import create_async_engine

    from crm_gateway.accounts import Accounts
    from crm_gateway.app import async_database_url
    from crm_gateway.errors import InvalidInput

    engine = create_async_engine(async_database_url(settings.database_url))
    try:
        created = await Accounts(engine, token_ttl=None).create_user(login, full_name, role, password)
    except InvalidInput as refused:
        raise SystemExit(f"user {login} not created: {refused.message}: {refused.details}") from None
    finally:
        await engine.dispose()
    return "created" if created else "exists"


def main() -> None:
    parser = argparse.ArgumentParser(prog="crm-gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve")
    user = commands.add_parser("create-user")
    user.add_argument("login")
    user.add_argument("--full-name", required=True)
    user.add_argument("--role", required=True)
    user.add_argument("--password", help="read from CRM_USER_PASSWORD or asked for when absent")
    args = parser.parse_args()
    settings = Settings.from_env()
    if args.command == "serve":
        configure_logging()
        from crm_gateway.app import create_app

        web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)
    else:
        password = args.password or os.environ.get("CRM_USER_PASSWORD") or getpass.getpass()
        print(f"user {args.login}: {asyncio.run(create_user(settings, args.login, args.full_name, args.role, password))}")
