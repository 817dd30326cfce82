"""Faults while the system runs: services die, the broker and the database restart.

Nothing acknowledged may be lost: a 201 means the lead is counted by reports eventually.
"""
import os
import shutil
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.system import eventually


def count_for(system, site: str) -> int:
    today = datetime.now(UTC).date()
    query = {"date_from": (today - timedelta(days=1)).isoformat(),
             "date_to": (today + timedelta(days=1)).isoformat(), "source": site}
    response = system.admin.get("/reports/leads-per-day", params=query)
    return response.json()["total"] if response.status_code == 200 else -1


def post_leads(system, site: str, count: int) -> None:
    for _ in range(count):
        phone = f"+79{uuid.uuid4().int % 10**9:09d}"
        response = system.post_form(site, {"name": "Клиент", "phone": phone, "submission_id": uuid.uuid4().hex})
        assert response.status_code == 201, response.text


def test_events_wait_for_a_consumer_that_is_down(system):
    before = count_for(system, "site-okna")
    system.kill("reports")
    try:
        post_leads(system, "site-okna", 3)
        assert count_for(system, "site-okna") == -1  # reports is down: no answer, no count
    finally:
        system.restart("reports")
    eventually(lambda: count_for(system, "site-okna") == before + 3)


def test_a_service_that_is_down_answers_503_and_comes_back(system):
    manager = system.user("manager")
    system.kill("deals")
    try:
        started = time.monotonic()
        response = manager.get("/pipelines")
        assert response.status_code == 503 and response.json()["details"] == {"service": "deals"}
        assert time.monotonic() - started < 15
        health = system.anonymous().get(f"{system.base_url}/health")
        assert health.status_code == 503
        assert {a["service"]: a["status"] for a in health.json()["services"]}["deals"] == "down"
    finally:
        system.restart("deals")
    assert manager.get("/pipelines").status_code == 200


def _accepts_a_lead(system, site: str):
    phone = f"+79{uuid.uuid4().int % 10**9:09d}"
    try:
        response = system.post_form(site, {"name": "После сбоя", "phone": phone, "submission_id": uuid.uuid4().hex})
    except OSError:
        return False
    assert response.status_code in (201, 503), response.text  # unavailable, never a crash
    return response.status_code == 201


def skip_unless_local(infrastructure, control: str) -> None:
    """A test restarts only the local servers (not containers, not servers given by address)."""
    if infrastructure["servers"] != "local" or not shutil.which(control):
        pytest.skip(f"needs the local servers and {control}")


def test_the_system_reconnects_after_a_broker_restart(system, infrastructure):
    skip_unless_local(infrastructure, "rabbitmqctl")
    before = count_for(system, "site-main")
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, capture_output=True)
    eventually(lambda: _accepts_a_lead(system, "site-main"), timeout=90, interval=1)
    eventually(lambda: count_for(system, "site-main") >= before + 1, timeout=60)
    post_leads(system, "site-main", 2)
    eventually(lambda: count_for(system, "site-main") == before + 3, timeout=60)


def test_the_system_reconnects_after_a_database_restart(system, infrastructure):
    skip_unless_local(infrastructure, "pg_ctlcluster")
    before = count_for(system, "site-main")
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True, capture_output=True)
    eventually(lambda: _accepts_a_lead(system, "site-main"), timeout=60, interval=1)
    post_leads(system, "site-main", 2)
    eventually(lambda: count_for(system, "site-main") == before + 3, timeout=60)
