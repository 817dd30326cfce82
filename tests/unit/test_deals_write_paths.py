"""No way into deals can change a deal without its rules: the service's database runs the chain before
every commit, every entrypoint (RPC, timer, event handler) reaches the database only through that
unit of work, and a transaction reads the rules once. What the rules do on each path is proven end
to end in tests/e2e/test_deal_automation.py."""
import ast
import inspect
import textwrap
from pathlib import Path

from crm_chassis.db import Transaction
from crm_chassis.service import ServiceBase
from crm_deals import automation
from crm_deals.service import DealsService

PACKAGE = Path(automation.__file__).parent


def own_entrypoints() -> dict:
    return {name: member for name, member in vars(DealsService).items()
            if getattr(member, "nameko_entrypoints", None)}


def database_uses(function) -> set[str]:
    """What an entrypoint's body asks of `self.db`: `transaction`, `read`, ..."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(function))))
    return {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
            and node.value.attr == "db" and isinstance(node.value.value, ast.Name) and node.value.value.id == "self"}


def test_the_deals_database_runs_the_rules_before_every_commit():
    assert DealsService.db is not ServiceBase.db
    assert DealsService.db.before_commit is automation.run


def test_every_entrypoint_reaches_the_database_only_through_the_unit_of_work():
    entrypoints = own_entrypoints()
    assert {"create_deal", "move_deal", "update_deal_fields", "load_configuration", "report_overdue_tasks",
            "run_timed_rules", "react_to_booking_result", "open_deal_for_converted_lead"} <= set(entrypoints)
    for name, entrypoint in entrypoints.items():
        assert database_uses(entrypoint) <= {"transaction", "read"}, name


def test_the_configuration_loader_changes_deals_only_through_the_running_service():
    cli = (PACKAGE / "cli.py").read_text(encoding="utf-8")
    assert "cluster.deals.load_configuration(" in cli
    assert database_uses(DealsService.load_configuration) == {"transaction"}


def test_no_deals_module_opens_a_connection_of_its_own():
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        names |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        assert not names & {"engine", "sessionmaker", "Session", "connect", "create_engine"}, module.name


class CountingSession:
    """Stands in for a session: counts the statements it is asked to run, finds nothing."""

    def __init__(self):
        self.info, self.statements = {}, 0

    def execute(self, statement):
        self.statements += 1
        return self

    def mappings(self):
        return []


def test_a_transaction_reads_the_rules_once_and_the_next_one_afresh():
    session = CountingSession()
    tx = Transaction(session, "deals")
    assert automation.active_rules(tx) == [] and automation.active_rules(tx) == []
    automation.run(tx)  # nothing recorded: the chain has nothing to do, and reads no rules again
    assert session.statements == 1
    later = CountingSession()
    automation.active_rules(Transaction(later, "deals"))
    assert later.statements == 1
