"""Payment schedules: numbered invoices, a task to send each and a task to check it is paid."""
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, NotFound, Unprocessable
from crm_deals.deals import Actor, deal_row, log
from crm_deals.domain.payments import ScheduleMismatch, after_payment, check_schedule, invoice_number
from crm_deals.events import InvoiceOverdueV1, InvoicePaidV1
from crm_deals.tables import invoice_counters, invoices
from crm_deals.tasks import create_task

SEND_DAYS_BEFORE_DUE = 3


def invoice_dict(row) -> dict:
    return {"id": row["id"], "deal_id": row["deal_id"], "number": row["number"], "position": row["position"],
            "amount": str(row["amount"]), "due_date": row["due_date"].isoformat(),
            "paid_amount": str(row["paid_amount"]), "status": row["status"],
            "paid_at": row["paid_at"] and row["paid_at"].isoformat()}


def _next_number(tx: Transaction, year: int) -> str:
    statement = pg_insert(invoice_counters).values(year=year, last_number=1)
    sequence = tx.session.execute(statement.on_conflict_do_update(
        index_elements=[invoice_counters.c.year], set_={"last_number": invoice_counters.c.last_number + 1}
    ).returning(invoice_counters.c.last_number)).scalar_one()
    return invoice_number(year, sequence)


def _at_nine(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(9), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def create_schedule(tx: Transaction, deal_id: int, payments: list[dict], accept_difference: bool,
                    timezone: str, actor: Actor) -> dict:
    deal = deal_row(tx.session, deal_id, for_update=True)
    if tx.session.execute(sa.select(invoices.c.id).where(invoices.c.deal_id == deal_id).limit(1)).first():
        raise Conflict("the deal already has a payment schedule", {"deal_id": deal_id})
    amounts = [Decimal(p["amount"]) for p in payments]
    try:
        gap = check_schedule(Decimal(deal["amount"]), amounts, accept_difference)
    except ScheduleMismatch as mismatch:
        raise Unprocessable(str(mismatch), {"difference": str(mismatch.difference),
                                            "deal_amount": str(deal["amount"])}) from None
    today = datetime.now(ZoneInfo(timezone)).date()
    created = []
    for position, payment in enumerate(sorted(payments, key=lambda p: p["due_date"]), start=1):
        number = _next_number(tx, payment["due_date"].year)
        row = tx.session.execute(sa.insert(invoices).values(
            deal_id=deal_id, number=number, position=position, amount=payment["amount"],
            due_date=payment["due_date"]).returning(*invoices.c)).mappings().one()
        send_on = max(payment["due_date"] - timedelta(days=SEND_DAYS_BEFORE_DUE), today)
        create_task(tx, deal_id, f"Отправить счёт № {number}", _at_nine(send_on, timezone), None, actor)
        create_task(tx, deal_id, f"Проверить оплату счёта № {number}", _at_nine(payment["due_date"], timezone),
                    None, actor)
        created.append(invoice_dict(row))
    log(tx, deal_id, "payment_schedule_created", actor, invoices=[i["number"] for i in created], difference=str(gap))
    return {"deal_id": deal_id, "invoices": created, "difference": str(gap)}


def register_payment(tx: Transaction, invoice_id: int, amount: Decimal, actor: Actor) -> dict:
    row = tx.session.execute(sa.select(invoices).where(invoices.c.id == invoice_id).with_for_update()
                             ).mappings().first()
    if row is None:
        raise NotFound(f"invoice {invoice_id} not found", {"invoice_id": invoice_id})
    try:
        paid, status = after_payment(row["amount"], row["paid_amount"], amount)
    except ValueError as refused:
        raise Unprocessable(str(refused), {"amount": [str(refused)]}) from None
    done = tx.session.execute(sa.update(invoices).where(invoices.c.id == invoice_id).values(
        paid_amount=paid, status=status, paid_at=sa.func.now() if status == "paid" else None
    ).returning(*invoices.c)).mappings().one()
    log(tx, row["deal_id"], "payment_registered", actor, invoice=row["number"], amount=str(amount), status=status)
    tx.emit("deal.invoice_paid.v1", InvoicePaidV1().dump({
        "invoice_id": invoice_id, "deal_id": row["deal_id"], "number": row["number"], "amount": row["amount"],
        "paid_amount": paid, "status": status}))
    return invoice_dict(done)


def report_overdue(tx: Transaction, timezone: str, limit: int = 100) -> int:
    """Unpaid invoices past their date, each reported once."""
    today = datetime.now(ZoneInfo(timezone)).date()
    rows = tx.session.execute(sa.select(invoices).where(
        invoices.c.status != "paid", invoices.c.due_date < today, invoices.c.overdue_reported_at.is_(None)
    ).order_by(invoices.c.due_date).limit(limit).with_for_update(skip_locked=True)).mappings().all()
    for row in rows:
        tx.session.execute(sa.update(invoices).where(invoices.c.id == row["id"]).values(overdue_reported_at=sa.func.now()))
        log(tx, row["deal_id"], "invoice_overdue", Actor(), invoice=row["number"])
        tx.emit("deal.invoice_overdue.v1", InvoiceOverdueV1().dump({
            "invoice_id": row["id"], "deal_id": row["deal_id"], "number": row["number"], "amount": row["amount"],
            "paid_amount": row["paid_amount"], "due_date": row["due_date"]}))
    return len(rows)


def for_deal(session, deal_id: int) -> list[dict]:
    rows = session.execute(sa.select(invoices).where(invoices.c.deal_id == deal_id).order_by(invoices.c.position))
    return [invoice_dict(row) for row in rows.mappings()]
