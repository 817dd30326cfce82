"""Nobody can edit the audit: each audit table is named by one module, whose writers only events
(reports' handlers and rebuild) and accounts (a login, a user created or dismissed) call."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def modules_naming(pattern: str) -> set[str]:
    return {str(path.relative_to(ROOT)) for folder in ("services", "gateway", "chassis")
            for path in (ROOT / folder).rglob("*.py")
            if "migrations" not in path.parts and re.search(pattern, path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("table, owner", [
    ("audit_entries", "services/reports/crm_reports/audit.py"),
    ("audit_log", "gateway/crm_gateway/audit.py"),
])
def test_each_audit_table_is_named_by_its_own_module_only(table, owner):
    tables = owner.rsplit("/", 1)[0] + "/tables.py"
    assert modules_naming(rf"\b{table}\b") == {owner, tables}


@pytest.mark.parametrize("writer, callers", [
    (r"audit\.record_event\(", {"services/reports/crm_reports/service.py"}),  # the handlers bound to `#`
    (r"audit\.record_entries\(", {"services/reports/crm_reports/projections.py"}),  # the rebuild
    (r"audit\.record\(", {"gateway/crm_gateway/accounts.py"}),
])
def test_the_writers_are_called_from_events_and_accounts_only(writer, callers):
    assert modules_naming(writer) == callers
