"""Web-form intake benchmark: the running system against raw PostgreSQL and raw RabbitMQ.

    .venv/bin/python bench/intake.py [--profile dev|test] [--tiny] [--requests 2000] [--concurrency 50]
        [--time-limit 600]

Phases, in turn, loopback only: (1) N signed web forms to the gateway, C in flight; (2) poll
/reports/leads-per-day for the bench's site until it has grown by the accepted count; (3) N
autocommit single-row INSERTs over C connections into a scratch database; (4) N persistent
publishes with confirms, C in flight, to a scratch durable queue. Scratch objects are dropped.

How to read the figures (see bench/README.md):
  - "accepted req/s": 201s per second of load, a 201 meaning the lead is durable; latencies
    are client-side over all requests; errors are counted by status or exception.
  - "end-to-end events/s": accepted leads per second from the first request sent to the poll
    that saw the last one counted in reports (polls every 0.2 s); "reports lag": how long after
    the last 201 that poll came. Other leads on the same site meanwhile make it look earlier.
  - "system / raw": a system figure over each raw one. A lead costs at least a commit in
    leads, a confirmed persistent publish and a commit in reports: near 100% means the system
    runs at the machine's raw limits; a small ratio means the time goes into the services
    themselves (worker pools, RPC hops, Python CPU).
"""
import argparse
import asyncio
import hashlib
import hmac
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp

from harness import (RUN_TAG, BenchArguments, admin_headers, percentile, phone_for, post_in_flight, print_table,
                     raw_baselines, read_secrets, run_bounded)

POLL_SECONDS = 0.2


def parse_args() -> argparse.Namespace:
    parser = BenchArguments(__doc__, targets=("url", "secrets", "pg_url", "amqp_uri"),
                            sizes={"requests": (2000, 6), "concurrency": (50, 2)}, time_limit=600)
    parser.add_argument("--site", help="form site to post to (default: the first in the secrets)")
    parser.add_argument("--catch-up-timeout", type=float, default=120, help="seconds to wait for reports")
    return parser.parse_args()


# -- the system --------------------------------------------------------------------------

class Crm:
    def __init__(self, http: aiohttp.ClientSession, base: str, site: str):
        self.http, self.base, self.api, self.site = http, base, base.rstrip("/") + "/api/v1", site
        self.headers = {}

    async def login(self, password: str) -> None:
        self.headers = await admin_headers(self.http, self.base, password)

    async def leads_counted(self) -> int:
        """Leads from the bench's site counted by reports, yesterday..tomorrow in Moscow."""
        today = datetime.now(ZoneInfo("Europe/Moscow")).date()
        params = {"date_from": str(today - timedelta(days=1)), "date_to": str(today + timedelta(days=1)),
                  "source": self.site}
        async with self.http.get(f"{self.api}/reports/leads-per-day", params=params,
                                 headers=self.headers) as r:
            r.raise_for_status()
            return (await r.json())["total"]


async def drive_forms(crm: Crm, secret: str, n: int, concurrency: int) -> dict:
    """N signed web forms, C in flight (see harness.post_in_flight for what it returns)."""
    def form(i: int) -> tuple[str, dict]:
        body = json.dumps({
            "submission_id": f"{crm.site}-bench-{RUN_TAG}-{i}", "name": f"Нагрузка {i}",
            "phone": phone_for(i), "email": f"bench-{RUN_TAG}-{i}@example.ru",
            "message": "Нагрузочный тест приёма заявок",
        }, ensure_ascii=False).encode()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return f"{crm.api}/webhooks/forms/{crm.site}", {
            "data": body, "headers": {"Content-Type": "application/json", "X-Signature": signature}}

    return await post_in_flight(crm.http, n, concurrency, form)


async def wait_for_reports(crm: Crm, target: int, timeout: float) -> tuple[float | None, int]:
    """Poll reports until the count reaches the target: (moment reached or None, last count)."""
    deadline, counted = time.perf_counter() + timeout, -1
    while time.perf_counter() < deadline:
        try:
            counted = await crm.leads_counted()
        except aiohttp.ClientError as exc:
            print(f"  reports poll failed: {exc}", file=sys.stderr)
        if counted >= target:
            return time.perf_counter(), counted
        await asyncio.sleep(POLL_SECONDS)
    return None, counted


# -- the run -----------------------------------------------------------------------------

async def main(args: argparse.Namespace) -> None:
    deadline = time.perf_counter() + args.time_limit
    local = read_secrets(args.secrets)
    site = args.site or next(iter(local["form_sites"]))
    n, c = args.requests, args.concurrency
    connector = aiohttp.TCPConnector(limit=c + 2)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60), connector=connector) as http:
        crm = Crm(http, args.url, site)
        await crm.login(local["admin_password"])
        before = await crm.leads_counted()
        print(f"system: {n} web forms to {site}, {c} in flight, run {RUN_TAG} (counted before: {before})",
              flush=True)
        load = await drive_forms(crm, local["form_sites"][site], n, c)
        accepted = load["statuses"]["201"]
        wait = min(args.catch_up_timeout, max(1.0, deadline - time.perf_counter() - 30))  # 30 s for raw
        caught_up, counted = await wait_for_reports(crm, before + accepted, wait)
    raw = await raw_baselines(args, n, c, deadline)

    accepted_rate = accepted / ((load["last_ok"] or load["finished"]) - load["started"])
    e2e_rate = accepted / (caught_up - load["started"]) if caught_up and accepted else None
    lag = f"{caught_up - load['last_ok']:.2f}" if caught_up and accepted else "n/a"
    lat = load["latencies"]
    errors = ", ".join(f"{s}: {k}" for s, k in sorted(load["statuses"].items()) if s != "201")

    rows = [
        ("requests sent / accepted (201)", f"{n} / {accepted}", ""),
        ("errors by status", errors or "none", ""),
        ("accepted req/s", f"{accepted_rate:.1f}", raw.share(accepted_rate)),
        ("latency p50 / p95 / p99 ms", " / ".join(f"{percentile(lat, p) * 1000:.0f}" for p in (.5, .95, .99))
         + f" (mean {statistics.fmean(lat) * 1000:.0f})", ""),
        ("end-to-end events/s", f"{e2e_rate:.1f}" if e2e_rate else "n/a" if not accepted else
         f"not caught up: {counted - before}/{accepted} counted", raw.share(e2e_rate)),
        ("reports lag after last 201 s", lag, ""),
        *raw.rows(),
    ]
    print_table(rows, note="system / raw")


if __name__ == "__main__":
    run_bounded(main, parse_args())
