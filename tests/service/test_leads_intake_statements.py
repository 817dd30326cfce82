"""What one web form costs leads' database, counted statement by statement against the real
PostgreSQL: a new person, a known person, and a site's retry of a form already stored.

Nothing the intake transaction wrote is read back: once it inserts into a table, no later
statement of the same transaction reads that table (what it needs comes from RETURNING or
from the values it already holds).
"""
import re
import uuid

import eventlet
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from crm_chassis.db import Transaction
from crm_chassis.tables import outbox
from crm_leads import intake, ownership, pipeline
from crm_leads.tables import contacts, leads

# Upper bounds for one web form with a submission id, an operator on duty (were 15, 15, 16 and 2):
NEW_PERSON_STATEMENTS = 11
KNOWN_PERSON_STATEMENTS = 9  # the same phone again
KNOWN_PERSON_NEW_EMAIL_STATEMENTS = 11  # the same phone and an e-mail the contact did not have yet
RETRY_STATEMENTS = 1

WAITING_FOR_AN_IDENTITY = sa.text(
    "SELECT count(*) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database "
    "WHERE locktype = 'advisory' AND NOT granted AND datname = current_database()")
INSERTED = re.compile(r"\bINSERT INTO (\w+)")
READ = re.compile(r"\b(?:FROM|JOIN) (\w+)")


def tables_read_back(statements: list[str]) -> list[tuple[str, str]]:
    """(table, statement) for every statement reading a table the transaction inserted into before."""
    inserted, found = set(), []
    for statement in statements:
        found += [(table, statement) for table in READ.findall(statement) if table in inserted]
        inserted.update(INSERTED.findall(statement))
    return found


def costs_at_most(bound: int, statements: list[str], what: str) -> None:
    print(f"{what}: {len(statements)} statement(s)")  # the figure itself: pytest -s
    assert len(statements) <= bound, "\n\n".join(statements)


def test_the_check_finds_a_row_read_back_and_lets_other_reads_pass():
    statements = ["SELECT contact_identities.contact_id FROM contact_identities WHERE kind = %(kind)s",
                  "INSERT INTO contacts (name) VALUES (%(name)s) RETURNING contacts.id",
                  "SELECT max(contact_deals.deal_id) FROM contact_deals WHERE contact_deals.contact_id = %(id)s",
                  "SELECT communications.id FROM communications JOIN contacts ON contacts.id = communications.id"]
    assert tables_read_back(statements) == [("contacts", statements[3])]
    assert tables_read_back(statements[:3]) == []


@pytest.fixture(scope="module")
def engine(infrastructure):
    from crm_chassis.migrate import ensure_database, upgrade

    url = f"{infrastructure['postgres']}/{infrastructure['db_prefix']}_leads_intake"
    ensure_database(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(url, "crm_leads")
    with sessionmaker(engine).begin() as session:
        ownership.set_duty(Transaction(session, "leads"), user_id=7, on_duty=True)
    yield engine
    engine.dispose()


@pytest.fixture()
def counted(engine):
    """Run `fn(tx, ...)` in one committed transaction; returns its result and the SQL it sent."""
    makers = sessionmaker(engine, expire_on_commit=False)

    def run(fn, *args):
        statements = []

        def note(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", note)
        try:
            with makers.begin() as session:
                result = fn(Transaction(session, "leads"), *args)
        finally:
            sa.event.remove(engine, "before_cursor_execute", note)
        return result, statements

    return run


def stored(engine, lead_id: int) -> dict:
    with sessionmaker(engine)() as session:
        return pipeline.get_lead(session, lead_id)


def events_of(engine, lead: dict) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(outbox.c.event_type, outbox.c.envelope["data"])
                            .where(outbox.c.event_type.in_(["lead.created.v1", "communication.recorded.v1"]))
                            .order_by(outbox.c.id.desc()).limit(2)).all()
    return {event_type: data for event_type, data in rows if data.get("lead_id") == lead["id"]}


def form(**fields) -> dict:
    return {"site": "site-main", "submission_id": uuid.uuid4().hex, "name": "Пётр Васильев",
            "phone": None, "email": None, "message": "Подключите интернет", "request_type": None} | fields


def new_phone() -> str:
    return f"+7916{uuid.uuid4().int % 10**7:07d}"


def test_a_form_from_a_new_person_reads_back_nothing_it_wrote(engine, counted):
    lead, statements = counted(intake.intake_web_form, form(phone=new_phone(), request_type="подключение"), "RU")

    costs_at_most(NEW_PERSON_STATEMENTS, statements, "a new person")
    assert tables_read_back(statements) == [], "\n\n".join(statements)
    assert lead == stored(engine, lead["id"]) | {"duplicate": False}
    assert lead["responsible_id"] == 7 and lead["stage_name"] and lead["request_type"] == "подключение"
    events = events_of(engine, lead)
    assert events["lead.created.v1"]["new_contact"] is True
    assert events["communication.recorded.v1"]["contact_name"] == "Пётр Васильев"
    assert events["communication.recorded.v1"]["category"] == "new_request"


def test_a_repeat_form_from_a_known_person_reads_back_nothing_it_wrote(engine, counted):
    phone = new_phone()
    first, _ = counted(intake.intake_web_form, form(phone=phone), "RU")
    lead, statements = counted(intake.intake_web_form, form(site="site-okna", phone=phone, name="Пётр"), "RU")

    costs_at_most(KNOWN_PERSON_STATEMENTS, statements, "a known person")
    assert tables_read_back(statements) == [], "\n\n".join(statements)
    assert lead == stored(engine, lead["id"]) | {"duplicate": False}
    assert lead["contact"] == first["contact"] and lead["id"] != first["id"]
    events = events_of(engine, lead)
    assert events["lead.created.v1"]["new_contact"] is False
    assert events["communication.recorded.v1"]["contact_name"] == "Пётр Васильев"  # the contact keeps its name


def test_a_known_person_leaving_a_new_email_gets_it_on_their_contact(engine, counted):
    phone = new_phone()
    first, _ = counted(intake.intake_web_form, form(phone=phone), "RU")
    email = f"petr.{uuid.uuid4().hex[:8]}@example.ru"
    lead, statements = counted(intake.intake_web_form, form(site="site-okna", phone=phone, email=email.upper()), "RU")

    costs_at_most(KNOWN_PERSON_NEW_EMAIL_STATEMENTS, statements, "a known person with a new e-mail")
    assert tables_read_back(statements) == [], "\n\n".join(statements)
    assert lead == stored(engine, lead["id"]) | {"duplicate": False}
    assert lead["contact"] == first["contact"] | {"email": email}


def test_a_retried_form_is_stored_once(engine, counted):
    submitted = form(phone=new_phone())
    first, _ = counted(intake.intake_web_form, submitted, "RU")
    again, statements = counted(intake.intake_web_form, submitted, "RU")

    costs_at_most(RETRY_STATEMENTS, statements, "a retry")
    assert again == first | {"duplicate": True}
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(leads)
                            .where(leads.c.external_id == submitted["submission_id"])).scalar_one() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(contacts)
                            .where(contacts.c.phone == submitted["phone"])).scalar_one() == 1


def test_two_forms_from_one_new_person_at_once_make_one_contact(engine):
    """The contact is looked up only once the person's identity lock is held: the second intake
    waits for the first to commit and then finds the contact it created."""
    phone, makers = new_phone(), sessionmaker(engine)

    def intake_committed(submitted):
        with makers.begin() as session:
            return intake.intake_web_form(Transaction(session, "leads"), submitted, "RU")

    with makers.begin() as first:
        lead = intake.intake_web_form(Transaction(first, "leads"), form(phone=phone), "RU")
        second = eventlet.spawn(intake_committed, form(site="site-okna", phone=phone))
        with engine.connect() as conn:
            for _ in range(1000):
                if conn.execute(WAITING_FOR_AN_IDENTITY).scalar_one():
                    break
                eventlet.sleep(0.01)
            else:
                pytest.fail("the second intake of one person did not wait for the first")
    assert second.wait()["contact"]["id"] == lead["contact"]["id"]
