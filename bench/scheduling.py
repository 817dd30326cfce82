"""Scheduling benchmark: booking under contention and availability search, beside raw PostgreSQL.

    .venv/bin/python bench/scheduling.py [--profile dev|test] [--tiny] [--crews 200] [--days 30]
        [--attempts 1000] [--slots 20] [--concurrency 50] [--searches 50] [--pg-connections 10]

Runs against a running system (`make run`, or the test profile with --profile test; addresses as in
bench/harness.py), loopback only. Phases:

1. seed: the crews are created through the API (POST /crews, skill `bench-<run>`, zone
   "Бенч", every day 09:00-18:00 Moscow); a month of bookings (10:00-12:00 and 13:00-15:00
   every day for every crew) is written straight into the scheduling database with one
   INSERT ... SELECT, as the service itself writes them. Through the API that would be
   12,000 requests for data whose only purpose is to be searched, so seeding goes direct.
2. contention: --attempts POST /bookings, --concurrency in flight, spread over --slots
   distinct free slots (16:00-17:00 tomorrow on the first crews): every slot must end with
   exactly one 201, every other attempt with a 409.
3. availability: --searches GET /slots one after another, over all the crews and the whole
   month, for a 60-minute job (found at once) and for a 4-hour job (no crew has 4 free hours
   in a row, so the whole month of every crew is scanned: the worst case).
4. raw PostgreSQL: single-row commits/s on a scratch database over --pg-connections
   connections (bench/harness.py's helper).

Everything the bench created in the scheduling database (its crews and their bookings) is
deleted at the end; notifications sent about its bookings stay in notify.
"""
import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from datetime import date, datetime, time as clock, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import psycopg2

from harness import RUN_TAG, BenchArguments, admin_headers, percentile, print_table, raw_postgres, read_secrets

MOSCOW = ZoneInfo("Europe/Moscow")
SEED = """
INSERT INTO bookings (crew_id, kind, starts_at, ends_at, live, address, client_name, status)
SELECT crew.id, 'booking', (day + job.starts) AT TIME ZONE 'Europe/Moscow',
       (day + job.ends) AT TIME ZONE 'Europe/Moscow', tstzrange(statement_timestamp(), NULL),
       'г. Москва, ул. Нагрузочная, д. 1', 'Нагрузка', 'booked'
FROM unnest(%(crews)s::bigint[]) AS crew(id),
     generate_series(%(first)s::timestamp, %(last)s::timestamp, interval '1 day') AS day,
     (VALUES (interval '10 hours', interval '12 hours'), (interval '13 hours', interval '15 hours')) AS job(starts, ends)
"""


def parse_args() -> argparse.Namespace:
    parser = BenchArguments(__doc__, targets=("url", "secrets", "scheduling_db", "pg_url"), sizes={
        "crews": (200, 3), "days": (30, 3), "attempts": (1000, 8), "slots": (20, 2), "concurrency": (50, 4),
        "searches": (50, 2), "pg_connections": (10, 2)})
    args = parser.parse_args()
    if args.slots > args.crews:
        parser.error("--slots must not exceed --crews (one contested slot per crew)")
    return args


class Api:
    def __init__(self, http: aiohttp.ClientSession, base: str):
        self.http, self.api, self.headers = http, base.rstrip("/") + "/api/v1", {}

    async def send(self, method: str, path: str, **kwargs) -> tuple[str, object]:
        try:
            async with self.http.request(method, self.api + path, headers=self.headers, **kwargs) as r:
                return str(r.status), await r.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return type(exc).__name__, None


async def in_parallel(count: int, concurrency: int, one) -> list:
    results, indexes = [None] * count, iter(range(count))

    async def worker() -> None:
        for i in indexes:
            results[i] = await one(i)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


async def create_crews(api: Api, n: int) -> list[int]:
    async def one(i: int):
        status, body = await api.send("POST", "/crews", json={
            "name": f"Бенч {RUN_TAG} №{i}", "skill": f"bench-{RUN_TAG}", "leader_name": "Нагрузка",
            "leader_phone": "+79000000000", "zones": ["Бенч"]})
        if status != "201":
            sys.exit(f"creating a crew failed: {status} {body}")
        return body["id"]

    return await in_parallel(n, 20, one)


def seed_bookings(db_url: str, crew_ids: list[int], first: date, days: int) -> int:
    with psycopg2.connect(db_url) as connection, connection.cursor() as cursor:
        cursor.execute(SEED, {"crews": crew_ids, "first": first, "last": first + timedelta(days=days - 1)})
        return cursor.rowcount


def clean_up(db_url: str, crew_ids: list[int]) -> None:
    with psycopg2.connect(db_url) as connection, connection.cursor() as cursor:
        cursor.execute("DELETE FROM bookings WHERE crew_id = ANY(%s)", (crew_ids,))
        cursor.execute("DELETE FROM crews WHERE id = ANY(%s)", (crew_ids,))


async def contend(api: Api, crew_ids: list[int], day: date, attempts: int, slots: int, concurrency: int) -> dict:
    starts = datetime.combine(day, clock(16), tzinfo=MOSCOW)
    latencies, statuses = [], Counter()

    async def one(i: int):
        began = time.perf_counter()
        status, _ = await api.send("POST", "/bookings", json={
            "crew_id": crew_ids[i % slots], "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(), "address": "г. Москва, ул. Нагрузочная, д. 2"})
        latencies.append(time.perf_counter() - began)
        statuses[status] += 1

    began = time.perf_counter()
    await in_parallel(attempts, concurrency, one)
    return {"seconds": time.perf_counter() - began, "latencies": sorted(latencies), "statuses": statuses}


async def search(api: Api, skill: str, first: date, days: int, minutes: int, n: int) -> tuple[list[float], int]:
    latencies, found = [], 0
    for _ in range(n):
        began = time.perf_counter()
        status, body = await api.send("GET", "/slots", params={
            "skill": skill, "zone": "Бенч", "duration_minutes": minutes, "date_from": first.isoformat(),
            "date_to": (first + timedelta(days=days - 1)).isoformat(), "limit": 10})
        latencies.append(time.perf_counter() - began)
        if status != "200":
            sys.exit(f"search failed: {status} {body}")
        found = len(body)
    return sorted(latencies), found


def ms(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, p) * 1000:.0f}" for p in (.5, .95, .99)) + \
        f" (mean {statistics.fmean(values) * 1000:.0f})"


async def main(args: argparse.Namespace) -> None:
    password = read_secrets(args.secrets)["admin_password"]
    first = datetime.now(MOSCOW).date() + timedelta(days=1)
    connector = aiohttp.TCPConnector(limit=args.concurrency + 2)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60), connector=connector) as http:
        api = Api(http, args.url)
        api.headers = await admin_headers(http, args.url, password)
        print(f"seed: {args.crews} crews through the API, {args.days} days of bookings straight into the "
              f"database, run {RUN_TAG}", flush=True)
        crew_ids = await create_crews(api, args.crews)
        try:
            seeded = await asyncio.to_thread(seed_bookings, args.scheduling_db, crew_ids, first, args.days)
            print(f"contention: {args.attempts} bookings over {args.slots} slots, {args.concurrency} in flight",
                  flush=True)
            load = await contend(api, crew_ids, first, args.attempts, args.slots, args.concurrency)
            print(f"availability: {args.searches} searches each for a 60-minute and a 4-hour job", flush=True)
            quick, quick_found = await search(api, f"bench-{RUN_TAG}", first, args.days, 60, args.searches)
            full, full_found = await search(api, f"bench-{RUN_TAG}", first, args.days, 240, args.searches)
        finally:
            await asyncio.to_thread(clean_up, args.scheduling_db, crew_ids)
    print(f"raw PostgreSQL: {args.attempts} single-row commits, {args.pg_connections} connections", flush=True)
    pg_rate = await asyncio.to_thread(raw_postgres, args.pg_url, args.attempts, args.pg_connections,
                                      time.perf_counter() + 300)

    attempt_rate = args.attempts / load["seconds"]
    statuses = load["statuses"]
    others = ", ".join(f"{s}: {k}" for s, k in sorted(statuses.items()) if s not in ("201", "409")) or "none"
    rows = [
        ("crews / bookings seeded", f"{args.crews} / {seeded}", ""),
        ("booking attempts / slots", f"{args.attempts} / {args.slots}", ""),
        ("booked (201) / conflicts (409)", f"{statuses['201']} / {statuses['409']}",
         "exactly one per slot" if statuses["201"] == args.slots else "WRONG: expected one per slot"),
        ("other answers", others, ""),
        ("booking attempts/s", f"{attempt_rate:.1f}", f"{attempt_rate / pg_rate:6.1%} of PG"),
        ("booking latency p50 / p95 / p99 ms", ms(load["latencies"]), ""),
        ("search 60 min, p50 / p95 / p99 ms", ms(quick), f"{quick_found} slots found"),
        ("search 4 h (full scan), p50 / p95 / p99 ms", ms(full), f"{full_found} slots found"),
        ("raw PG commits/s", f"{pg_rate:.1f}", ""),
    ]
    print_table(rows)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
