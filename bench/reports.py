"""Reports benchmark: ABC report and KPI registry latency on big scratch data, and rebuild speed.

    .venv/bin/python bench/reports.py [--profile dev|test] [--tiny] [--companies 100000]
        [--communications 2000000] [--managers 50] [--days 365] [--events 10000] [--audit-entries 1000000]
        [--repeat 5]

Phases, loopback only, each in a scratch database migrated with the reports migrations and
dropped after (the running system is not needed and not touched):

1. **ABC**: companies (categories A/B/C in turn, 50 responsibles), two contacts per company,
   a lead and a deal per company, and communications spread over the last 120 days (a quarter
   linked to the company directly, the rest to a contact, lead or deal; calls, e-mails and
   messages, some calls missed), all seeded with generate_series, and the last-contact rollup
   the projections keep from them (`last_contacts`). The report's
   query function (`queries.abc_report`) is timed in-process: every company, one responsible's
   companies, and category A overdue only.
2. **KPI registry**: M managers x D days x 12 indicators of history (`kpi_snapshots`), timed
   through `queries.kpi_registry` for everyone over the whole period (ending yesterday, from
   the registry only), one manager over the period, and everyone over the last 30 days
   including today (today is computed live from the phase-1 deals and tasks).
3. **rebuild**: E synthetic events (lead created, deal created, task created and completed,
   deal moved, a call) in the event store of a fresh scratch database, replayed by
   `projections.rebuild` in one transaction; beside it, the raw PostgreSQL rate of
   single-row autocommit INSERTs on one connection (bench/harness.py's `raw_postgres`).
4. **audit**: A audit entries (20 per deal, each also about its lead, by 50 users) seeded with
   generate_series, read through `audit.entries` as `GET /audit` asks: one deal's history, what
   one user did (the latest 100), and the latest 100 changes of deals.

Latencies are wall-clock per call (median and worst of --repeat runs), the first run included.
"""
import argparse
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg2
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_chassis.migrate import upgrade
from crm_reports import audit, projections, queries
from crm_reports.domain.calendar import local_day
from crm_reports.domain.kpi import CODES
from crm_reports.settings import Settings
from crm_reports.tables import event_store
from harness import RUN_TAG, BenchArguments, print_table, raw_postgres

SETTINGS = Settings.from_config({"COMPANY_TIMEZONE": "Europe/Moscow"})


def parse_args() -> argparse.Namespace:
    return BenchArguments(__doc__, targets=("pg_url",), sizes={
        "companies": (100_000, 30), "communications": (2_000_000, 300), "managers": (50, 3), "days": (365, 3),
        "events": (10_000, 60), "audit_entries": (1_000_000, 300), "repeat": (5, 1)}).parse_args()


class Scratch:
    """A scratch database with the reports schema, dropped on exit."""

    def __init__(self, pg_url: str, name: str):
        self.pg_url, self.name = pg_url, f"bench_reports_{name}_{RUN_TAG}"
        self.url = sa.engine.make_url(pg_url.replace("postgresql://", "postgresql+psycopg2://", 1)).set(
            database=self.name)

    def __enter__(self) -> sa.Engine:
        upgrade(self.url.render_as_string(hide_password=False), "crm_reports")
        self.engine = sa.create_engine(self.url, pool_size=2, max_overflow=0)
        return self.engine

    def __exit__(self, *exc) -> None:
        self.engine.dispose()
        admin = psycopg2.connect(self.pg_url)
        admin.autocommit = True
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        admin.close()


def timed(engine: sa.Engine, query, repeat: int) -> tuple[float, float, object]:
    """(median, worst, last result) of `query(session)`, each call in its own session as `db.read` does."""
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        with Session(engine) as session:
            result = query(session)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds), result


def seed_abc(engine: sa.Engine, companies: int, communications: int, managers: int) -> float:
    started = time.perf_counter()
    contacts = companies * 2
    with engine.begin() as conn:
        for statement in (
            f"""INSERT INTO companies SELECT i, 'Компания ' || i, (ARRAY['A','B','C'])[1 + i % 3], 1 + i % {managers},
                now() - interval '200 days' FROM generate_series(1, {companies}) i""",
            f"INSERT INTO contact_companies SELECT i, 1 + i % {companies} FROM generate_series(1, {contacts}) i",
            f"""INSERT INTO leads SELECT i, i, CASE WHEN i % 2 = 0 THEN i END, 1 + i % {managers}, 'won', 'won',
                now() - interval '150 days' FROM generate_series(1, {companies}) i""",
            f"""INSERT INTO deals SELECT i, 'sales', (ARRAY['new','offer','contract'])[1 + i % 3], 'open',
                'Сделка ' || i, 1 + i % {managers}, i, i, i, 1000 + i % 5000, '{{}}'::jsonb,
                now() - (i % 40) * interval '1 day', now() - (i % 20) * interval '1 day', NULL
                FROM generate_series(1, {companies}) i""",
            f"""INSERT INTO tasks SELECT i, i, 'Позвонить', 1 + i % {managers},
                now() + (i % 7 - 3) * interval '1 day', 'open', NULL FROM generate_series(1, {companies}) i
                WHERE i % 3 <> 0""",
            f"""INSERT INTO communications
                SELECT i, 1 + i % {contacts},
                       CASE WHEN i % 4 = 0 THEN 1 + i % {companies} END,
                       CASE WHEN i % 4 = 1 THEN 1 + i % {companies} END,
                       CASE WHEN i % 4 = 2 THEN 1 + i % {companies} END,
                       ch, CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, st,
                       now() - (i % 120) * interval '1 day' - (i % 1440) * interval '1 minute',
                       CASE WHEN ch = 'call' AND st = 'completed' THEN 'call' WHEN ch = 'email' THEN 'email' END
                FROM (SELECT i, (ARRAY['call','call','email','sms','whatsapp'])[1 + i % 5] AS ch,
                             CASE WHEN i % 5 < 2 AND i % 3 = 0 THEN 'missed' ELSE 'completed' END AS st
                      FROM generate_series(1, {communications}) i) g""",
            *(f"""INSERT INTO last_contacts SELECT '{link}', {link}_id, contact_kind, max(occurred_at)
                  FROM communications WHERE contact_kind IS NOT NULL AND {link}_id IS NOT NULL
                  GROUP BY {link}_id, contact_kind""" for link in ("company", "contact", "lead", "deal")),
        ):
            conn.execute(sa.text(statement))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    return time.perf_counter() - started


def seed_registry(engine: sa.Engine, managers: int, days: int) -> int:
    with engine.begin() as conn:
        return conn.execute(sa.text(f"""
            INSERT INTO kpi_snapshots (manager_id, day, indicator, value)
            SELECT m, current_date - d, k, CASE WHEN k LIKE '%sum%' THEN ((m * d) % 90000)::text || '.00'
                                                ELSE ((m + d) % 17)::text END
            FROM generate_series(1, {managers}) m, generate_series(1, {days}) d,
                 unnest(ARRAY{list(CODES)}) k""")).rowcount


def synthetic_events(n: int) -> list[dict]:
    """Envelopes as producers send them: per deal a lead, a deal, a task created and done, a move, a call."""
    now = datetime.now(UTC)
    kinds = ("lead.created.v1", "deal.created.v1", "deal.task_created.v1", "deal.task_completed.v1",
             "deal.stage_changed.v1", "communication.recorded.v1")
    events = []
    for i in range(n):
        ref, kind = 1 + i // len(kinds), kinds[i % len(kinds)]
        at = (now - timedelta(minutes=n - i)).isoformat()
        data = {
            "lead.created.v1": {"lead_id": ref, "contact_id": ref, "source": "site", "channel": "web_form",
                                "title": "Заявка", "created_at": at, "new_contact": True, "responsible_id": 1 + ref % 50,
                                "stage": "new"},
            "deal.created.v1": {"deal_id": ref, "pipeline": "sales", "stage": "new", "title": "Сделка",
                                "contact_id": ref, "amount": "1500.00", "created_at": at, "company_id": None,
                                "lead_id": ref, "parent_deal_id": None, "responsible_id": 1 + ref % 50,
                                "fields": {"service": "Бассейн"}},
            "deal.task_created.v1": {"task_id": ref, "deal_id": ref, "title": "Позвонить", "assignee_id": 1 + ref % 50,
                                     "due_at": at, "created_at": at},
            "deal.task_completed.v1": {"task_id": ref, "deal_id": ref, "assignee_id": 1 + ref % 50, "completed_at": at},
            "deal.stage_changed.v1": {"deal_id": ref, "pipeline": "sales", "from_stage": "new", "to_stage": "offer",
                                      "changed_at": at, "to_kind": "open", "rule_id": None,
                                      "responsible_id": 1 + ref % 50},
            "communication.recorded.v1": {"communication_id": ref, "contact_id": ref, "company_id": None,
                                          "lead_id": ref, "deal_id": ref, "channel": "call", "direction": "out",
                                          "status": "completed", "category": None, "occurred_at": at,
                                          "duration_seconds": 60, "recording_url": None},
        }[kind]
        producer = "leads" if kind in ("lead.created.v1", "communication.recorded.v1") else "deals"
        events.append({"event_id": str(uuid.uuid4()), "event_type": kind, "occurred_at": at, "producer": producer,
                       "correlation_id": None, "data": data})
    return events


def seed_audit(engine: sa.Engine, entries: int) -> float:
    started = time.perf_counter()
    deals = max(entries // 20, 1)
    with engine.begin() as conn:
        conn.execute(sa.text(f"""
            INSERT INTO audit_entries (event_id, event_type, occurred_at, entity, entity_id, action, subjects,
                                       actor_kind, actor_id, actor_label, changes)
            SELECT gen_random_uuid(), 'deal.stage_changed.v1', now() - i * interval '1 second', 'deal',
                   (1 + i % {deals})::text, 'stage_changed',
                   ARRAY['deal:' || (1 + i % {deals}), 'lead:' || (1 + i % {deals})], 'user', (1 + i % 50)::text,
                   'user:' || (1 + i % 50), '{{"stage": {{"from": "new", "to": "offer"}}}}'::jsonb
            FROM generate_series(1, {entries}) i"""))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE audit_entries"))
    return time.perf_counter() - started


def main(args: argparse.Namespace) -> None:
    now = datetime.now(UTC)
    today = local_day(now, SETTINGS.timezone)
    print(f"reports bench {RUN_TAG}: {args.companies} companies, {args.communications} communications, "
          f"{args.managers} managers x {args.days} days, {args.events} events; repeat {args.repeat}", flush=True)
    rows = []
    with Scratch(args.pg_url, "abc") as engine:
        def median_worst(label: str, query, note) -> None:
            median, worst, report = timed(engine, query, args.repeat)
            rows.append((label, f"{median * 1000:.0f} / {worst * 1000:.0f}", note(report)))

        seeded = seed_abc(engine, args.companies, args.communications, args.managers)
        print(f"seeded ABC data in {seeded:.1f} s", flush=True)
        for label, filters in (("every company (first 500 rows)", {}), ("one responsible", {"responsible_id": 1}),
                               ("category A, overdue only", {"category": "A", "overdue": "yes"})):
            median_worst(f"ABC median / worst ms, {label}",
                         lambda s, f=filters: queries.abc_report(s, SETTINGS, today, **f),
                         lambda report: f"{report['total']} companies, "
                                        f"{sum(r['overdue'] for r in report['per_employee'])} overdue")
        print(f"seeded {seed_registry(engine, args.managers, args.days)} registry values", flush=True)
        year = (today - timedelta(days=args.days), today - timedelta(days=1))
        for label, query in (
            ("every manager, the period", lambda s: queries.kpi_registry(s, SETTINGS, now, *year)),
            ("one manager, the period", lambda s: queries.kpi_registry(s, SETTINGS, now, *year, manager_id=1)),
            ("every manager, 30 days + live today",
             lambda s: queries.kpi_registry(s, SETTINGS, now, today - timedelta(days=29), today)),
        ):
            median_worst(f"KPI registry median / worst ms, {label}", query,
                         lambda report: f"{len(report['rows'])} rows of {args.managers} managers x {args.days} days")
    with Scratch(args.pg_url, "rebuild") as engine:
        with engine.begin() as conn:
            conn.execute(sa.insert(event_store), [
                {"event_id": e["event_id"], "event_type": e["event_type"], "envelope": e}
                for e in synthetic_events(args.events)])
        with Session(engine) as session, session.begin():
            started = time.perf_counter()
            result = projections.replay(session, SETTINGS.timezone)
            seconds = time.perf_counter() - started
    with Scratch(args.pg_url, "audit") as engine:
        print(f"seeded {args.audit_entries} audit entries in {seed_audit(engine, args.audit_entries):.1f} s",
              flush=True)
        for label, query in (
            ("one deal's history", lambda s: audit.entries(s, "deal", "7")),
            ("what one user did, latest 100", lambda s: audit.entries(s, actor_id="7")),
            ("latest 100 changes of deals", lambda s: audit.entries(s, "deal")),
        ):
            median, worst, found = timed(engine, query, args.repeat)
            rows.append((f"audit median / worst ms, {label}", f"{median * 1000:.0f} / {worst * 1000:.0f}",
                         f"{len(found)} entries of {args.audit_entries}"))
    rebuild = result["events_replayed"] / seconds
    rows.append(("rebuild events/s", f"{rebuild:.0f}", f"{result['events_replayed']} events in {seconds:.1f} s,"
                                                       " one transaction"))
    raw = raw_postgres(args.pg_url, min(args.events, 5000), 1, time.perf_counter() + 120)
    rows.append(("raw PG commits/s", f"{raw:.0f}", "single-row autocommit INSERTs on one connection"))
    print_table(rows)
    print(json.dumps({"run": RUN_TAG, "rebuild_events_per_s": round(rebuild), "raw_pg_commits_per_s": round(raw)}))


if __name__ == "__main__":
    try:
        main(parse_args())
    except KeyboardInterrupt:
        sys.exit(130)
