"""Every bench script runs once at its tiny size against the test profile, so a change that breaks
one fails here. Only that it runs and prints its figures is checked, with the invariants the script
itself states (every request answered, every slot booked once); the figures of a tiny run mean
nothing, and timing targets are read from full runs (bench/README.md), never asserted.

What the scripts leave in the shared test system is inert for other tests: leads, calls and a
campaign with numbers and ids of their own run, crews they delete; intake.py waits until reports
has counted its leads. Their scratch databases and queues are dropped.
"""
import re
import subprocess
import sys

from tests.support.system import ROOT

TIME_LIMIT = ("--time-limit", "120")  # for the scripts that take one: they clean up before they stop


def run_tiny(script: str, *options: str) -> str:
    """What bench/<script> printed at its tiny size against the test profile, once it exited 0."""
    done = subprocess.run([sys.executable, "-W", "ignore", str(ROOT / "bench" / script), "--profile", "test",
                           "--tiny", *options], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def assert_figures(output: str, *labels: str) -> None:
    """Each label stands in the closing table with a value that starts with a number."""
    missing = [label for label in labels if not re.search(rf"^{re.escape(label)}  +\d", output, re.MULTILINE)]
    assert not missing, f"no figure for {missing} in:\n{output}"


def assert_all_of(output: str, label: str) -> None:
    """The label's value reads `N / N`: all of what was sent got through."""
    assert re.search(rf"^{re.escape(label)}  +(\d+) / \1\b", output, re.MULTILINE), f"{label} not N / N in:\n{output}"


def test_intake_forms_end_to_end_beside_raw_postgres_and_rabbitmq(system):
    output = run_tiny("intake.py", *TIME_LIMIT)
    assert_all_of(output, "requests sent / accepted (201)")
    assert_figures(output, "accepted req/s", "latency p50 / p95 / p99 ms", "end-to-end events/s",
                   "reports lag after last 201 s", "raw PG commits/s", "raw MQ confirmed publishes/s")


def test_leads_calls_client_card_inbox_and_import(system):
    output = run_tiny("leads.py", *TIME_LIMIT)
    assert_all_of(output, "calls sent / accepted (2xx)")
    assert_all_of(output, "stored exactly once")
    assert "EXPECTED" not in output  # the import's split of imported / skipped / rejected, and the re-run's
    assert_figures(output, "accepted calls/s", "latency p50 / p95 / p99 ms", "raw PG commits/s",
                   "raw MQ confirmed publishes/s", "card p50 / p95 / max ms, 20 heaviest",
                   "card p50 / p95 / max ms, 20 heaviest, offset 1000", "inbox p50 / p95 / max ms, whole log",
                   "inbox p50 / p95 / max ms, incoming, last 7 days", "history plan, heaviest, offset 0",
                   "import imported / skipped / rejected", "import s", "re-run imported / skipped / rejected")


def test_notify_campaign_handed_to_the_fake_provider(system):
    output = run_tiny("notify.py", *TIME_LIMIT)
    assert_all_of(output, "messages / queued at the provider")
    assert_figures(output, "recorded by the fake Twilio", "rendered + stored (campaign answer) s",
                   "rendered and handed to provider msg/s", "raw PG commits/s", "raw MQ confirmed publishes/s")


def test_scheduling_contention_and_availability_search(system):
    output = run_tiny("scheduling.py")
    assert "exactly one per slot" in output, output
    assert_figures(output, "crews / bookings seeded", "booking attempts/s", "booking latency p50 / p95 / p99 ms",
                   "search 60 min, p50 / p95 / p99 ms", "search 4 h (full scan), p50 / p95 / p99 ms",
                   "raw PG commits/s")


def test_reports_abc_kpi_registry_and_rebuild_on_scratch_databases(infrastructure):
    output = run_tiny("reports.py")
    assert_figures(output, "ABC median / worst ms, every company (first 500 rows)",
                   "ABC median / worst ms, one responsible", "ABC median / worst ms, category A, overdue only",
                   "KPI registry median / worst ms, every manager, the period",
                   "KPI registry median / worst ms, one manager, the period",
                   "KPI registry median / worst ms, every manager, 30 days + live today",
                   "rebuild events/s", "raw PG commits/s")


def test_search_on_scratch_databases_beside_raw_postgres(infrastructure):
    output = run_tiny("search.py", *TIME_LIMIT)
    assert_figures(output, "data: contacts / identities / companies / leads / deals", "seeding s",
                   *(f"search p50 / p95 / max ms, {kind}" for kind in (
                       "phone 8 916 123-45-67", "phone +7 (916) 1234567", "phone 79161234567", "last 4 digits",
                       "last 7 digits", "surname", "first name and surname", "surname with a typo", "e-mail", "INN",
                       "deal number", "title word")),
                   "raw PG lookup by id p50 / p95 / max ms", "raw PG commits/s")
