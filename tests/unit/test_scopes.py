"""Who may see what, without I/O: the ids a role's scope covers (gateway) and the where-clauses
every service's queries take from the viewer (chassis)."""
import json

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from crm_chassis import context
from crm_chassis.errors import Forbidden
from crm_chassis.scope import changeable, in_departments, visible, visible_ids
from crm_gateway.accounts import User
from crm_gateway.departments import RoleScope, covered_ids, viewer_context

records = sa.table("records", sa.column("responsible_id", sa.BigInteger),
                   sa.column("department_ids", postgresql.ARRAY(sa.BigInteger)))
ME, COLLEAGUES = 7, {3, 9}


@pytest.mark.parametrize("scope, in_a_department, expected", [
    ("all", True, None),
    ("none", True, []),
    ("own", True, [ME]),
    ("own", False, [ME]),
    ("department", True, [3, ME, 9]),
    ("department", False, None),  # a company not split into departments is one department
])
def test_a_scope_covers_these_responsible_ids(scope, in_a_department, expected):
    assert covered_ids(scope, ME, COLLEAGUES if in_a_department else set(), in_a_department) == expected


def test_the_viewer_names_both_scopes_and_the_departments():
    manager = User(id=ME, login="m", full_name="М", role="manager")
    assert viewer_context(manager, RoleScope("department", "own"), [2, 1], COLLEAGUES) == {
        "user_id": ME, "role": "manager", "read": "department", "write": "own", "read_ids": [3, ME, 9],
        "write_ids": [ME], "department_ids": [1, 2]}
    same = viewer_context(manager, RoleScope("department", "department"), [1], COLLEAGUES)
    assert "write_ids" not in same  # the same ids are not sent twice


def test_write_ids_left_out_are_the_read_ids(as_viewer):
    as_viewer(user_id=ME, role="manager", read="department", write="department", read_ids=[3, ME], department_ids=[1])
    assert sql(changeable(records.c.responsible_id)) == "records.responsible_id IN (3, 7)"


def test_a_department_of_thousands_fits_in_one_header():
    head = User(id=1, login="h", full_name="Г", role="head_of_sales")
    header = json.dumps(viewer_context(head, RoleScope("department", "department"), [1],
                                       set(range(1_000_000, 1_005_000))))
    assert len(header.encode()) < 50 * 1024  # one list of 5,000 seven-digit ids: an AMQP frame holds 128 KiB


def sql(clause) -> str:
    return str(clause.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


@pytest.fixture
def as_viewer():
    def bind(**viewer):
        context.bind("r", "r", str(viewer.get("user_id")), viewer=json.dumps(viewer) if viewer else None)

    yield bind
    context.clear()


def test_nobody_looking_sees_everything(as_viewer):
    as_viewer()
    assert visible_ids() is None
    assert sql(visible(records.c.responsible_id)) == sql(changeable(records.c.responsible_id)) == "true"
    assert sql(in_departments(records.c.department_ids)) == "true"


def test_a_department_viewer_reads_their_colleagues_and_changes_their_own(as_viewer):
    as_viewer(user_id=ME, role="manager", read="department", write="own", read_ids=[3, ME],
              write_ids=[ME], department_ids=[2])
    assert visible_ids() == {3, ME}
    assert sql(visible(records.c.responsible_id)) == "records.responsible_id IN (3, 7)"
    assert sql(changeable(records.c.responsible_id)) == "records.responsible_id IN (7)"
    assert sql(in_departments(records.c.department_ids)) == (
        "cardinality(records.department_ids) = 0 OR records.department_ids && CAST(ARRAY[2] AS BIGINT[])")


def test_a_role_that_changes_nothing_is_refused_and_one_that_reads_all_sees_every_pipeline(as_viewer):
    as_viewer(user_id=ME, role="controller", read="all", write="none", read_ids=None, write_ids=[],
              department_ids=[])
    assert sql(visible(records.c.responsible_id)) == "true"
    assert sql(in_departments(records.c.department_ids)) == "true"
    with pytest.raises(Forbidden):
        changeable(records.c.responsible_id)


def test_a_scope_of_none_reads_nothing(as_viewer):
    as_viewer(user_id=ME, role="operator", read="none", write="none", read_ids=[], write_ids=[], department_ids=[])
    assert sql(visible(records.c.responsible_id)) == "false"
