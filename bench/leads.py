"""Leads benchmark: telephony webhooks end to end, the client card on a big history, legacy import.

    .venv/bin/python bench/leads.py [--profile dev|test] [--tiny] [--requests 2000] [--concurrency 50]
        [--contacts 1000000] [--communications 5000000] [--import-rows 10000] [--time-limit 1800]
        [--skip-webhooks|card|import]

Loopback only; what each phase does is in bench/README.md. How to read the figures:
  - "accepted calls/s": 2xx answers per second (PBX events and, 1 in 4, Twilio voice callbacks), first
    request to last 2xx; a 2xx means the call is committed in leads. Latency is client-side over all
    requests, ~ C / throughput when queueing. "of PG / of MQ": over the raw single-row commits/s and
    confirmed publishes/s of the same run; a call costs at least one commit and one publish, so a small
    share means the time goes into the services.
  - "stored exactly once": accepted call ids found once in crm_leads.communications; "missing" and
    "twice" must be 0; "stored, not accepted" are calls committed whose answer was lost (timeouts).
  - "card ms": one crm_leads.clients.client_card (contact, identities, open leads, 50 history rows, total)
    in-process on a scratch database, warm cache, no RPC or HTTP: the database side of GET /clients/{id}.
    "heaviest": the 20 contacts with most communications; "offset 1000": a deep history page.
  - "inbox ms": one crm_leads.inbox.list_inbox (a page of 50 newest first plus counts per category for
    the same filters) on the same data: the database side of GET /communications, the operator's inbox.
  - "history plan": the card's own history query, EXPLAIN ANALYZEd. It should read
    communications_contact_time (Index Scan Backward < Incremental Sort on id); a plain Sort above a
    Bitmap Heap Scan reads a contact's whole history for one page: fine for a few rows, not for 50k.
  - "import": wall time of crm-import-leads (start-up, CSV, batches of 250 over RPC, one transaction
    each) and imported leads/s; the re-run must import 0 and skip every row imported the first time.
"""
import argparse
import asyncio
import contextlib
import csv
import hashlib
import hmac
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import psycopg2
import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from harness import (RUN_TAG as TAG, BenchArguments, percentile, phone_for, post_in_flight, print_table, raw_postgres,
                     raw_rabbitmq, read_secrets)

warnings.filterwarnings("ignore", module="nameko")  # pkg_resources and eventlet deprecation notices
from crm_chassis.migrate import upgrade  # noqa: E402
from crm_leads.clients import client_card  # noqa: E402
from crm_leads.inbox import list_inbox  # noqa: E402

TWILIO_EVERY, SKEW, CHUNK, FULL = 4, 3, 1_000_000, (1_000_000, 5_000_000)
MAPPING = {"columns": {"legacy_id": "ID", "name": "Имя", "phone": "Телефон", "email": "Email", "stage": "Статус",
                       "request_type": "Тип заявки", "created_at": "Создан"},
           "stages": {"Новая": "new", "Отказ - дорого": "lost_expensive", "Квалифицирована": "qualified"},
           "legacy_stages": ["Думает"]}
STAGES = ["Новая", "Новая", "Думает", "Отказ - дорого", "Квалифицирована"]
TIME_UP = (TimeoutError, subprocess.TimeoutExpired, psycopg2.errors.QueryCanceled)  # past --time-limit
BAD_ROWS = [{"Статус": "Неизвестный"}, {"Статус": "Квалифицирована", "Тип заявки": ""}, {"ID": ""},
            {"Email": "not-an-email"}, {"Создан": "31.02.2024"}]  # each is rejected with its line number


def parse_args() -> argparse.Namespace:
    parser = BenchArguments(__doc__, targets=("url", "secrets", "pg_url", "amqp_uri", "leads_db"), sizes={
        "requests": (2000, 8), "concurrency": (50, 2), "contacts": (FULL[0], 50), "communications": (FULL[1], 500),
        "import_rows": (10_000, 20)}, time_limit=1800)
    for part in ("webhooks", "card", "import"):
        parser.add_argument(f"--skip-{part}", action="store_true")
    return parser.parse_args()


def left(deadline: float) -> float:
    """Seconds left before the deadline; TimeoutError once it has passed."""
    if (remaining := deadline - time.perf_counter()) <= 0:
        raise TimeoutError
    return remaining


# -- 1. telephony webhooks ---------------------------------------------------------------

def call_id(i: int) -> str:
    """Call i's id: one in TWILIO_EVERY is a Twilio voice callback, the others PBX events."""
    return f"CA{TAG}{i:022x}" if i % TWILIO_EVERY == TWILIO_EVERY - 1 else f"pbx-{TAG}-{i}"


def call_request(hooks: str, local: dict, i: int) -> tuple[str, dict]:
    """(url, request) for call i, signed as its provider signs it."""
    phone = phone_for(i)
    if call_id(i).startswith("CA"):
        url = f"{hooks}/twilio/voice"
        params = {"CallSid": call_id(i), "From": phone.replace(" ", ""), "To": "+74950000000",
                  "Direction": "inbound", "CallStatus": "completed", "CallDuration": str(30 + i % 240)}
        signature = RequestValidator(local["twilio_auth_token"]).compute_signature(url, params)
        return url, {"data": params, "headers": {"X-Twilio-Signature": signature}}
    body = json.dumps({"call_id": call_id(i), "direction": "in", "from": phone, "to": "101", "status": "ANSWERED",
                       "duration": 30 + i % 240, "started_at": datetime.now(UTC).isoformat(),
                       "recording_url": f"https://pbx.example.ru/rec/{call_id(i)}.mp3"}).encode()
    signature = "sha256=" + hmac.new(local["pbx_secret"].encode(), body, hashlib.sha256).hexdigest()
    return f"{hooks}/pbx", {"data": body, "headers": {"Content-Type": "application/json", "X-Signature": signature}}


async def drive_calls(base: str, local: dict, n: int, concurrency: int) -> dict:
    """N call events, C in flight (see harness.post_in_flight), with the call ids sent and accepted."""
    hooks = base.rstrip("/") + "/api/v1/webhooks"
    connector = aiohttp.TCPConnector(limit=concurrency + 2)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60), connector=connector) as http:
        result = await post_in_flight(http, n, concurrency, lambda i: call_request(hooks, local, i))
    return result | {"sent": [call_id(i) for i in range(n)], "accepted": [call_id(i) for i in result["ok"]]}


def webhooks_phase(args: argparse.Namespace, local: dict, deadline: float) -> list[tuple]:
    n, c = args.requests, args.concurrency
    print(f"webhooks: {n} call events (1 in {TWILIO_EVERY} Twilio), {c} in flight, run {TAG}", flush=True)
    load = asyncio.run(asyncio.wait_for(drive_calls(args.url, local, n, c), left(deadline)))
    with contextlib.closing(psycopg2.connect(args.leads_db)) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT external_id, count(*) FROM communications WHERE channel = 'call'"
                       " AND external_id = ANY(%s) GROUP BY external_id", (load["sent"],))
        stored = dict(cursor.fetchall())
        cursor.execute("SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity")
        pg_c = max(1, min(c, cursor.fetchone()[0] - 10))  # leave some to the other clients of the server
    accepted = load["accepted"]
    once, missing = sum(stored.get(i) == 1 for i in accepted), sum(i not in stored for i in accepted)
    twice, unanswered = sum(k > 1 for k in stored.values()), len(stored.keys() - set(accepted))
    print(f"raw PostgreSQL and RabbitMQ: {n} each, {pg_c} connections / {c} publishes at a time", flush=True)
    try:
        pg = raw_postgres(args.pg_url, n, pg_c, time.perf_counter() + left(deadline))
    except psycopg2.OperationalError as exc:
        pg, pg_note = None, f"failed: {str(exc).strip().splitlines()[-1]}"
    else:
        pg_note = f"over {pg_c} connections (not {c}: the server is busy)" if pg_c < c else ""
    mq = asyncio.run(raw_rabbitmq(args.amqp_uri, n, c, time.perf_counter() + left(deadline)))
    rate = len(accepted) / ((load["last_ok"] or load["finished"]) - load["started"])
    errors = ", ".join(f"{s}: {k}" for s, k in sorted(load["statuses"].items()) if not s.startswith("2"))
    latency = " / ".join(f"{percentile(load['latencies'], p) * 1000:.0f}" for p in (.5, .95, .99))
    return [("calls sent / accepted (2xx)", f"{n} / {len(accepted)}", f"errors: {errors or 'none'}"),
            ("accepted calls/s", f"{rate:.1f}", (f"{rate / pg:.1%} of PG, " if pg else "") + f"{rate / mq:.1%} of MQ"),
            ("latency p50 / p95 / p99 ms", latency, ""),
            ("stored exactly once", f"{once} / {len(accepted)}",
             f"missing {missing}, twice {twice}, stored, not accepted {unanswered}"),
            ("raw PG commits/s", f"{pg:.1f}" if pg else "n/a", pg_note),
            ("raw MQ confirmed publishes/s", f"{mq:.1f}", "")]


# -- 2. the client card on a big history -----------------------------------------------------

def scratch_url(pg_url: str, scratch: str) -> sa.URL:
    return sa.make_url(pg_url).set(drivername="postgresql+psycopg2", database=scratch)


SEED = {
    "contacts": "INSERT INTO contacts (id, name, phone, created_at) SELECT g, 'Контакт ' || g,"
                " '+7' || (9000000000 + g), now() - (g %% 1000) * interval '1 day' FROM generate_series(1, %(m)s) g",
    "identities": "INSERT INTO contact_identities (kind, value, contact_id) SELECT 'phone', phone, id FROM contacts",
    "communications": (
        "INSERT INTO communications (contact_id, channel, direction, status, category, occurred_at,"
        " duration_seconds, external_id, from_address, to_address, body)"
        " SELECT c, (ARRAY['call', 'call', 'sms', 'whatsapp', 'email'])[1 + g %% 5],"
        " CASE WHEN g %% 3 = 0 THEN 'out' ELSE 'in' END, 'completed',"
        " (ARRAY['new_request', 'existing_client', 'open_order', 'spam', 'service_question'])[1 + (g / 7) %% 5],"
        " now() - random() * interval '3 years', CASE WHEN g %% 5 < 2 THEN 10 + g %% 600 END, 'seed-' || g,"
        " '+7' || (9000000000 + c), '+74950000000', 'Сообщение ' || g"
        " FROM (SELECT g, 1 + floor(%(m)s * random() ^ %(skew)s)::bigint AS c"
        " FROM generate_series(%(first)s, %(last)s) g) AS s"),
}


def seed(args: argparse.Namespace, scratch: str, deadline: float) -> tuple[Counter, dict, list, str]:
    """Migrate and bulk-load the scratch database: (rows loaded, seconds by step, heaviest, size)."""
    m, n, began = args.contacts, args.communications, time.perf_counter()
    upgrade(scratch_url(args.pg_url, scratch).render_as_string(hide_password=False), "crm_leads")
    loaded, seconds = Counter(), Counter({"migrate": time.perf_counter() - began})
    steps = [("contacts", {"m": m}), ("identities", {})] + [
        ("communications", {"m": m, "skew": SKEW, "first": first, "last": min(n, first + CHUNK - 1)})
        for first in range(1, n + 1, CHUNK)] + [("vacuum analyze", None)]
    with contextlib.closing(psycopg2.connect(args.pg_url, dbname=scratch)) as connection:
        connection.autocommit = True
        cursor = connection.cursor()
        for step, params in steps:
            cursor.execute(f"SET statement_timeout = {int(left(deadline) * 1000)}")
            began = time.perf_counter()
            cursor.execute(SEED.get(step, "VACUUM (ANALYZE)"), params)
            loaded[step] += max(cursor.rowcount, 0)
            seconds[step] += time.perf_counter() - began
            print(f"  {step}: {f'{loaded[step]:,} rows, ' if params else ''}{seconds[step]:.0f} s", flush=True)
        cursor.execute("SELECT contact_id, count(*) FROM communications GROUP BY 1 ORDER BY 2 DESC LIMIT 20")
        heaviest = cursor.fetchall()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return loaded, seconds, heaviest, cursor.fetchone()[0]


def plan_shape(node: dict) -> str:
    name = node["Node Type"] + (" Backward" if node.get("Scan Direction") == "Backward" else "")
    name += f" on {node['Index Name']}" if "Index Name" in node else ""
    return name + "".join(" < " + plan_shape(child) for child in node.get("Plans", []))


def explain_history(session: Session, contact_id: int, offset: int) -> tuple[str, float]:
    """EXPLAIN ANALYZE the history query exactly as client_card sends it: (plan shape, ms)."""
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM communications" in statement and "ORDER BY" in statement:
            captured.append((statement, parameters))

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        client_card(session, contact_id, limit=50, offset=offset)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = captured[-1]
    plan = session.connection().exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar()
    session.rollback()
    return plan_shape(plan[0]["Plan"]), plan[0]["Execution Time"]


def card_phase(args: argparse.Namespace, deadline: float) -> list[tuple]:
    m, scratch = args.contacts, f"bench_leads_{TAG}"
    size_note = "full size" if (m, args.communications) == FULL else "SCALED DOWN from 1,000,000 / 5,000,000"
    print(f"card: scratch database {scratch}, {m:,} contacts, {args.communications:,} communications"
          f" ({size_note})", flush=True)
    engine = sa.create_engine(scratch_url(args.pg_url, scratch))
    timings, plans = {}, []
    try:
        loaded, seconds, heaviest, size = seed(args, scratch, deadline)
        heavy, randoms = [contact_id for contact_id, _ in heaviest], random.sample(range(1, m + 1), min(200, m))
        with Session(engine) as session:
            client_card(session, randoms[0], limit=50, offset=0)  # warm-up: connection, catalog
            session.rollback()
            for label, ids, offset in ((f"{len(randoms)} random", randoms, 0), ("20 heaviest", heavy, 0),
                                       ("20 heaviest, offset 1000", heavy, 1000)):
                timings[label] = []
                for contact_id in ids:
                    left(deadline)
                    began = time.perf_counter()
                    client_card(session, contact_id, limit=50, offset=offset)
                    timings[label].append(time.perf_counter() - began)
                    session.rollback()
            week_ago = datetime.now(UTC) - timedelta(days=7)
            for label, query in (("whole log", {}), ("incoming, last 7 days", {"direction": "in", "since": week_ago}),
                                 ("one category, last 7 days", {"category": "open_order", "since": week_ago}),
                                 ("one category, offset 1000", {"category": "open_order", "offset": 1000})):
                timings[f"inbox: {label}"] = []
                for _ in range(20):
                    left(deadline)
                    began = time.perf_counter()
                    list_inbox(session, **({"category": None, "direction": None, "channel": None, "since": None,
                                            "limit": 50, "offset": 0} | query))
                    timings[f"inbox: {label}"].append(time.perf_counter() - began)
                    session.rollback()
            for label, contact_id, offset in (("heaviest, offset 0", heavy[0], 0),
                                              ("heaviest, offset 1000", heavy[0], 1000),
                                              ("a random contact", randoms[0], 0)):
                plans.append((label, *explain_history(session, contact_id, offset)))
    finally:
        engine.dispose()
        with contextlib.closing(psycopg2.connect(args.pg_url)) as admin:
            admin.autocommit = True
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    heavy_note = f"{heaviest[-1][1]:,}..{heaviest[0][1]:,} communications each"
    rows = [("card data: contacts / identities / comms", " / ".join(
                f"{loaded[k]:,}" for k in ("contacts", "identities", "communications")), f"{size_note}, {size}"),
            ("card seeding s", f"{sum(seconds.values()):.0f}", ", ".join(f"{k} {v:.0f}" for k, v in seconds.items()))]
    for label, values in timings.items():
        values.sort()
        what, _, name = label.rpartition(": ")
        rows.append((f"{what or 'card'} p50 / p95 / max ms, {name}", " / ".join(
            f"{percentile(values, p) * 1000:.1f}" for p in (.5, .95, 1)), heavy_note if "heav" in label else ""))
    for label, shape, took in plans:
        ok = "communications_contact_time" in shape
        rows.append((f"history plan, {label}", f"{took:.1f} ms", shape if ok else f"INDEX NOT USED: {shape}"))
    return rows


# -- 3. legacy import ----------------------------------------------------------------------

def write_import(directory: Path, n: int) -> tuple[Path, Path, int]:
    """A CSV of n legacy leads with about 1 in 1000 bad on purpose (5 at least), and its mapping."""
    step, rows = max(2, min(1000, n // 5)), []
    for i in range(n):
        stage = STAGES[i % len(STAGES)]
        row = {"ID": f"bench-{TAG}-{i}", "Имя": f"Клиент {i}", "Телефон": phone_for(10**6 + i),
               "Email": f"import-{TAG}-{i}@example.ru" if i % 2 else "", "Статус": stage,
               "Тип заявки": "подключение" if stage == "Квалифицирована" else "",
               "Создан": f"{1 + i % 28:02d}.{1 + i % 12:02d}.2024 10:00"}
        rows.append(row | BAD_ROWS[(i // step) % len(BAD_ROWS)] if i % step == step - 1 else row)
    source, mapping = directory / "legacy-leads.csv", directory / "mapping.yaml"
    with open(source, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    mapping.write_text(yaml.safe_dump(MAPPING, allow_unicode=True), encoding="utf-8")
    return source, mapping, n // step


def run_import(source: Path, mapping: Path, amqp_uri: str, deadline: float) -> tuple[list[int] | str, float]:
    """Run crm-import-leads: ([imported, skipped, rejected] or what went wrong, seconds)."""
    command = [str(Path(sys.executable).parent / "crm-import-leads"), str(source), "--mapping", str(mapping)]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=left(deadline),
                          env={**os.environ, "AMQP_URI": amqp_uri, "PYTHONWARNINGS": "ignore"})
    took = time.perf_counter() - began
    if found := re.search(r"imported (\d+), already there (\d+), rejected (\d+)", done.stdout):
        return [int(group) for group in found.groups()], took
    return f"failed, exit {done.returncode}: {(done.stderr.strip().splitlines() or [''])[-1][:200]}", took


def import_phase(args: argparse.Namespace, deadline: float) -> list[tuple]:
    n = args.import_rows
    print(f"import: {n:,} legacy leads through crm-import-leads, twice", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-leads-") as directory:
        source, mapping, bad = write_import(Path(directory), n)
        first, first_s = run_import(source, mapping, args.amqp_uri, deadline)
        again, again_s = run_import(source, mapping, args.amqp_uri, deadline)
    show = (lambda r: " / ".join(map(str, r)) if isinstance(r, list) else r)
    expected = [n - bad, 0, bad]
    return [("import imported / skipped / rejected", show(first),
             f"{n:,} rows, {bad} bad on purpose" + ("" if first == expected else f"; EXPECTED {show(expected)}")),
            ("import s", f"{first_s:.1f}", f"{first[0] / first_s:.1f} leads/s" if isinstance(first, list) else ""),
            ("re-run imported / skipped / rejected", show(again),
             "imports 0" if isinstance(again, list) and again[0] == 0 else "EXPECTED 0 imported"),
            ("re-run s", f"{again_s:.1f}", f"{n / again_s:.0f} rows/s checked")]


# -- the run -------------------------------------------------------------------------------

def main(args: argparse.Namespace) -> None:
    deadline = time.perf_counter() + args.time_limit
    local = read_secrets(args.secrets)
    phases = {"webhooks": lambda: webhooks_phase(args, local, deadline), "card": lambda: card_phase(args, deadline),
              "import": lambda: import_phase(args, deadline)}
    rows, took, failed = [], [], []
    try:
        for name, phase in phases.items():
            if getattr(args, f"skip_{name}"):
                continue
            began = time.perf_counter()
            try:
                rows += phase()
            except TIME_UP:
                raise
            except (psycopg2.Error, sa.exc.SQLAlchemyError, aiohttp.ClientError, OSError, KeyError) as exc:
                traceback.print_exc()
                failed.append(name)
                rows.append((f"{name} FAILED", type(exc).__name__, str(exc).strip().splitlines()[-1][:200]))
            took.append(f"{name} {time.perf_counter() - began:.0f}")
    except TIME_UP:
        print(f"the run exceeded its time limit of {args.time_limit} s; scratch objects dropped", file=sys.stderr)
        raise SystemExit(1)
    finally:
        if rows:
            rows.append(("phase times s", ", ".join(took), ""))
            print_table(rows)
    if failed:
        sys.exit(f"failed: {', '.join(failed)} (see the table)")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # so that cleanups run
    main(parse_args())
