"""Approvals on deals: someone approves or rejects with a comment; rules continue or turn back."""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, Forbidden, NotFound
from crm_deals.deals import Actor, deal_row, log
from crm_deals.domain.automation import Trigger
from crm_deals.events import ApprovalRequestedV1
from crm_deals.tables import approvals


def approval_dict(row) -> dict:
    return {"id": row["id"], "deal_id": row["deal_id"], "title": row["title"], "approver_id": row["approver_id"],
            "status": row["status"], "comment": row["comment"], "rule_id": row["rule_id"],
            "created_at": row["created_at"].isoformat(),
            "decided_at": row["decided_at"] and row["decided_at"].isoformat()}


def request(tx: Transaction, deal_id: int, title: str, approver_id: int, actor: Actor) -> dict:
    deal_row(tx.session, deal_id)
    row = tx.session.execute(sa.insert(approvals).values(
        deal_id=deal_id, title=title, approver_id=approver_id, rule_id=actor.rule_id).returning(*approvals.c)
    ).mappings().one()
    log(tx, deal_id, "approval_requested", actor, approval_id=row["id"], title=title, approver_id=approver_id)
    tx.emit("deal.approval_requested.v1", ApprovalRequestedV1().dump({
        "approval_id": row["id"], "deal_id": deal_id, "title": title, "approver_id": approver_id}))
    return approval_dict(row)


def from_rule(tx: Transaction, deal, action: dict, actor: Actor) -> None:
    approver = action.get("approver", "responsible")
    approver_id = deal["responsible_id"] if approver == "responsible" else approver
    if not approver_id:
        raise NotFound("the deal has nobody to approve it", {"approver": ["no responsible user"]})
    request(tx, deal["id"], action["title"], approver_id, actor)


def decide(tx: Transaction, approval_id: int, approved: bool, comment: str | None, actor: Actor,
           may_override: bool) -> dict:
    row = tx.session.execute(sa.select(approvals).where(approvals.c.id == approval_id).with_for_update()
                             ).mappings().first()
    if row is None:
        raise NotFound(f"approval {approval_id} not found", {"approval_id": approval_id})
    if row["status"] != "pending":
        raise Conflict(f"approval {approval_id} is already {row['status']}", {"status": [row["status"]]})
    if actor.user_id != row["approver_id"] and not may_override:
        raise Forbidden("only the approver decides", {"approver_id": row["approver_id"]})
    status = "approved" if approved else "rejected"
    done = tx.session.execute(sa.update(approvals).where(approvals.c.id == approval_id).values(
        status=status, comment=comment, decided_at=sa.func.now()).returning(*approvals.c)).mappings().one()
    log(tx, row["deal_id"], f"approval_{status}", actor, approval_id=approval_id, comment=comment)
    deal = deal_row(tx.session, row["deal_id"])
    tx.record(Trigger(f"approval_{status}", deal["pipeline"], deal["id"]))
    return approval_dict(done)


def for_deal(session, deal_id: int) -> list[dict]:
    rows = session.execute(sa.select(approvals).where(approvals.c.deal_id == deal_id).order_by(approvals.c.id))
    return [approval_dict(row) for row in rows.mappings()]
