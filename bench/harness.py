"""What every bench script shares: where the system is, how big a run is, the raw baselines, the table.

- Where: `--profile dev` (the default, `make run`) or `--profile test` (the runner's test profile, as the
  tests in tests/bench run it); the gateway, secrets, fake providers, PostgreSQL server, RabbitMQ vhost
  and service databases come from deploy/local/crm_local.py for that profile, each overridable by its
  own option. Every address must be loopback.
- How big: every count has a full default; `--tiny` makes each a few so that a run takes seconds.
  A tiny run only shows that the script still works: its figures mean nothing.
- The raw baselines: single-row commits/s on PostgreSQL and confirmed persistent publishes/s on
  RabbitMQ, into scratch objects that are dropped after.
- The table: `metric  value  note`, one figure a line, the value starting with its number.
"""
import argparse
import asyncio
import importlib.util
import ipaddress
import json
import socket
import sys
import time
import urllib.parse
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import aio_pika
import aiohttp
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
RUN_TAG = uuid.uuid4().hex[:10]
TARGETS = {  # option: what it names; its default comes from the profile
    "url": "the gateway, as its GATEWAY_PUBLIC_URL",
    "secrets": "the profile's secrets.json (admin password, webhook secrets)",
    "providers": "the fake message providers' HTTP address",
    "pg_url": "the PostgreSQL server (scratch databases and the raw phase)",
    "amqp_uri": "RabbitMQ, with the profile's vhost (the raw phase, the import command)",
    "leads_db": "the leads service's database",
    "scheduling_db": "the scheduling service's database",
}


class BenchArguments(argparse.ArgumentParser):
    """A bench script's options: the targets it reaches, its counts (full or --tiny) and its own."""

    def __init__(self, doc: str, targets: tuple[str, ...], sizes: dict[str, tuple[int, int]],
                 time_limit: float | None = None):
        super().__init__(description=doc.splitlines()[0])
        self.targets, self.sizes = targets, sizes
        self.add_argument("--profile", choices=("dev", "test"), default="dev",
                          help="the runner's profile whose system and servers to use (default: dev)")
        for target in targets:
            self.add_argument(f"--{target.replace('_', '-')}", help=f"{TARGETS[target]} (default: the profile's)")
        self.add_argument("--tiny", action="store_true",
                          help="a few of everything: a run of seconds whose figures mean nothing")
        for name, (full, tiny) in sizes.items():
            self.add_argument(f"--{name.replace('_', '-')}", type=int, help=f"default {full:,}, {tiny} with --tiny")
        if time_limit:
            self.add_argument("--time-limit", type=float, default=time_limit,
                              help=f"seconds for the whole run (default {time_limit:.0f})")

    def parse_args(self, *args, **kwargs) -> argparse.Namespace:
        parsed = super().parse_args(*args, **kwargs)
        for name, (full, tiny) in self.sizes.items():
            if getattr(parsed, name) is None:
                setattr(parsed, name, tiny if parsed.tiny else full)
            if getattr(parsed, name) <= 0:
                self.error(f"--{name.replace('_', '-')} must be positive")
        if getattr(parsed, "time_limit", 1) <= 0:
            self.error("--time-limit must be positive")
        defaults = profile_targets(parsed.profile)
        for target in self.targets:
            if getattr(parsed, target) is None:
                setattr(parsed, target, defaults[target])
            if target != "secrets" and not is_loopback(urllib.parse.urlsplit(getattr(parsed, target)).hostname
                                                       or "localhost"):
                self.error(f"--{target.replace('_', '-')}: {getattr(parsed, target)} is not a loopback address;"
                           " refusing")
        return parsed


def profile_targets(profile: str) -> dict[str, str]:
    """Where the runner puts each target for this profile (deploy/local/crm_local.py)."""
    spec = importlib.util.spec_from_file_location("crm_local", ROOT / "deploy" / "local" / "crm_local.py")
    crm_local = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(crm_local)
    server, amqp = crm_local.addresses(profile)
    server = server.replace("+psycopg2", "", 1)  # a libpq URL, for psycopg2 and SQLAlchemy alike
    prefix = crm_local.PROFILES[profile]["db_prefix"]
    return {"url": crm_local.gateway_url(profile), "secrets": str(crm_local.var_dir(profile) / "secrets.json"),
            "providers": crm_local.fake_providers_url(profile), "pg_url": f"{server}/postgres", "amqp_uri": amqp,
            "leads_db": f"{server}/{prefix}_leads", "scheduling_db": f"{server}/{prefix}_scheduling"}


def read_secrets(path: str) -> dict:
    with open(path) as file:
        return json.load(file)


async def admin_headers(http: aiohttp.ClientSession, url: str, password: str) -> dict[str, str]:
    """The admin's Authorization header, logged in through the API; the run ends if that fails."""
    async with http.post(f"{url.rstrip('/')}/api/v1/auth/login", json={"login": "admin", "password": password}) as r:
        if r.status != 200:
            sys.exit(f"login failed: {r.status} {await r.text()}")
        return {"Authorization": f"Bearer {(await r.json())['token']}"}


async def post_in_flight(http: aiohttp.ClientSession, n: int, concurrency: int, request_for) -> dict:
    """N POSTs, C in flight; `request_for(i)` gives the i-th as (url, aiohttp keyword arguments).

    Returns the first send (`started`), the end (`finished`), the last 2xx (`last_ok`), the sorted
    client-side latencies, the answers by status (or by exception), and the indexes answered 2xx (`ok`).
    """
    result = {"latencies": [], "statuses": Counter(), "ok": [], "last_ok": 0.0}
    indexes = iter(range(n))

    async def worker() -> None:
        for i in indexes:
            url, request = request_for(i)
            started = time.perf_counter()
            try:
                async with http.post(url, **request) as response:
                    await response.read()
                    status = str(response.status)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                status = type(exc).__name__
            result["latencies"].append(time.perf_counter() - started)
            result["statuses"][status] += 1
            if status.startswith("2"):
                result["ok"].append(i)
                result["last_ok"] = time.perf_counter()

    result["started"] = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result["finished"] = time.perf_counter()
    result["latencies"].sort()
    return result


def is_loopback(host: str) -> bool:
    """True only if every address the host name resolves to is a loopback address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of a sorted, non-empty list."""
    return values[min(len(values) - 1, max(0, round(share * len(values)) - 1))]


def phone_for(index: int) -> str:
    """A valid Russian mobile, +7 9XX XXX XX XX, unique within a run (7919 is prime to 10**9)."""
    digits = f"{(int(RUN_TAG, 16) + index * 7919) % 10**9:09d}"
    return f"+7 9{digits[:2]} {digits[2:5]} {digits[5:7]} {digits[7:]}"


# -- raw PostgreSQL and RabbitMQ ---------------------------------------------------------

def raw_postgres(pg_url: str, n: int, concurrency: int, deadline: float) -> float:
    """Committed single-row inserts/s into a scratch database, C connections in threads."""
    scratch = f"bench_raw_{RUN_TAG}"
    admin = psycopg2.connect(pg_url)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{scratch}"')
    connections = []
    try:
        for _ in range(concurrency):  # too many clients? lower --concurrency or raise max_connections
            connections.append(psycopg2.connect(pg_url, dbname=scratch))
            connections[-1].autocommit = True
        connections[0].cursor().execute("CREATE TABLE bench (id bigserial PRIMARY KEY,"
                                        " created_at timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)")
        indexes = iter(range(n))  # next() on a shared range iterator is atomic under the GIL

        def insert_loop(connection) -> int:
            cursor, done = connection.cursor(), 0
            for _ in indexes:
                if time.perf_counter() > deadline:
                    break
                cursor.execute("INSERT INTO bench (payload) VALUES (%s)", ("x" * 200,))
                done += 1
            return done

        started = time.perf_counter()
        with ThreadPoolExecutor(len(connections)) as pool:
            done = sum(pool.map(insert_loop, connections))
        return done / (time.perf_counter() - started)
    finally:
        for connection in connections:
            connection.close()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.close()


async def raw_rabbitmq(amqp_uri: str, n: int, concurrency: int, deadline: float) -> float:
    """Persistent publishes/s confirmed by the broker, C in flight, to a scratch durable queue."""
    connection = await aio_pika.connect(amqp_uri)
    try:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(f"bench.raw.{RUN_TAG}", durable=True)
        body = json.dumps({"event_type": "lead.created.v1", "data": {"x": "y" * 400}}).encode()
        done, indexes = [0], iter(range(n))

        async def publisher() -> None:
            for _ in indexes:
                if time.perf_counter() > deadline:
                    break
                await channel.default_exchange.publish(aio_pika.Message(
                    body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=queue.name)
                done[0] += 1

        started = time.perf_counter()
        try:
            await asyncio.gather(*(publisher() for _ in range(concurrency)))
            return done[0] / (time.perf_counter() - started)
        finally:
            await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()


class Baselines(NamedTuple):
    pg: float  # single-row commits/s
    mq: float  # confirmed persistent publishes/s

    def share(self, rate: float | None) -> str:
        """A system figure over each raw one."""
        return f"{rate / self.pg:6.1%} of PG, {rate / self.mq:6.1%} of MQ" if rate else ""

    def rows(self) -> list[tuple[str, str, str]]:
        return [("raw PG commits/s", f"{self.pg:.1f}", ""), ("raw MQ confirmed publishes/s", f"{self.mq:.1f}", "")]


async def raw_baselines(args: argparse.Namespace, n: int, concurrency: int, deadline: float) -> Baselines:
    """Both raw phases, N each, C connections / publishes in flight, on the run's --pg-url and --amqp-uri."""
    print(f"raw PostgreSQL: {n} single-row commits, {concurrency} connections", flush=True)
    pg = await asyncio.to_thread(raw_postgres, args.pg_url, n, concurrency, deadline)
    print(f"raw RabbitMQ: {n} confirmed persistent publishes, {concurrency} in flight", flush=True)
    return Baselines(pg, await raw_rabbitmq(args.amqp_uri, n, concurrency, deadline))


# -- the run and its table ---------------------------------------------------------------

def print_table(rows: list[tuple[str, str, str]], note: str = "note") -> None:
    """metric, value, note: the closing table every bench script prints."""
    left, middle = (max(len(row[i]) for row in rows) for i in (0, 1))
    print(f"\n{'metric':<{left}}  {'value':<{middle}}  {note}")
    for metric, value, remark in rows:
        print(f"{metric:<{left}}  {value:<{middle}}  {remark}".rstrip())


def run_bounded(main, arguments: argparse.Namespace) -> None:
    """Run the coroutine `main(arguments)` and stop it, failing, at `arguments.time_limit` seconds."""
    try:
        asyncio.run(asyncio.wait_for(main(arguments), timeout=arguments.time_limit))
    except asyncio.TimeoutError:
        sys.exit(f"the run exceeded its time limit of {arguments.time_limit:.0f} s")
