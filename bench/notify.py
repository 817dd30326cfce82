"""Notification benchmark: messages rendered and handed to the fake provider per second,
beside raw PostgreSQL commits/s and RabbitMQ confirmed publishes/s from the same run.

    .venv/bin/python bench/notify.py [--profile dev|test] [--tiny] [--messages 2000]

Phases, loopback only: (1) one campaign of N SMS to N distinct numbers through the gateway:
notify renders and stores N messages in one transaction (the answer comes once they are
durable); (2) poll the campaign until all N are `queued`, i.e. the sender loop handed each
to the fake Twilio through the twilio library and recorded its SID; check the fake recorded
N; (3) raw PostgreSQL and (4) raw RabbitMQ as in bench/intake.py (bench/harness.py's).

The sender obeys NOTIFY_RATE_LIMITS: run the system with e.g. `NOTIFY_RATE_LIMITS=sms=100000`
to measure the pipeline rather than the configured limit (printed figures say which).
"""
import argparse
import asyncio
import sys
import time

import aiohttp

from harness import (RUN_TAG, BenchArguments, admin_headers, phone_for, print_table, raw_baselines, read_secrets,
                     run_bounded)

POLL_SECONDS = 0.2


def parse_args() -> argparse.Namespace:
    parser = BenchArguments(__doc__, targets=("url", "providers", "secrets", "pg_url", "amqp_uri"),
                            sizes={"messages": (2000, 5), "concurrency": (50, 2)}, time_limit=600)
    args = parser.parse_args()
    if args.messages > 10000:
        parser.error("--messages must be 1..10000 (one campaign)")
    return args


async def main(args: argparse.Namespace) -> None:
    deadline = time.perf_counter() + args.time_limit
    password = read_secrets(args.secrets)["admin_password"]
    n, api = args.messages, args.url.rstrip("/") + "/api/v1"
    numbers = [phone_for(i).replace(" ", "") for i in range(n)]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        headers = await admin_headers(http, args.url, password)
        print(f"system: a campaign of {n} SMS, run {RUN_TAG}", flush=True)
        started = time.perf_counter()
        async with http.post(f"{api}/campaigns", headers=headers, json={
                "name": f"Нагрузочный тест {RUN_TAG}", "channel": "sms", "idempotency_key": f"bench-{RUN_TAG}",
                "text": "Нагрузочный тест: ваш абонемент заканчивается через 3 дня.",
                "recipients": [{"address": number} for number in numbers]}) as r:
            if r.status != 201:
                sys.exit(f"campaign refused: {r.status} {await r.text()}")
            campaign = await r.json()
        stored = time.perf_counter()
        counts: dict = {}
        while time.perf_counter() < deadline - 30:  # 30 s left for the raw phases
            async with http.get(f"{api}/campaigns/{campaign['id']}", headers=headers) as r:
                counts = (await r.json())["counts"]
            if counts.get("pending", 0) + counts.get("sending", 0) == 0:
                break
            await asyncio.sleep(POLL_SECONDS)
        handed = time.perf_counter()
        async with http.get(f"{args.providers}/records", params={"provider": "twilio"}) as r:
            ours = set(numbers)
            recorded = sum(1 for entry in await r.json() if entry["to"] in ours)
    raw = await raw_baselines(args, n, args.concurrency, deadline)

    queued = counts.get("queued", 0)
    rate = queued / (handed - started) if queued else 0.0
    rows = [
        ("messages / queued at the provider", f"{n} / {queued}", ""),
        ("statuses", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())), ""),
        ("recorded by the fake Twilio", str(recorded), ""),
        ("rendered + stored (campaign answer) s", f"{stored - started:.2f}", f"{n / (stored - started):.0f} msg/s"),
        ("rendered and handed to provider msg/s", f"{rate:.1f}", raw.share(rate)),
        *raw.rows(),
    ]
    print_table(rows, note="system / raw")


if __name__ == "__main__":
    run_bounded(main, parse_args())
