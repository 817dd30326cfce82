"""The deal card: everything about one deal, assembled from the modules that own each part."""
import sqlalchemy as sa

from crm_deals import approvals, comments, documents, payments
from crm_deals.deals import deal_row, row_query, task_dict
from crm_deals.schemas import DealOutput
from crm_deals.tables import deal_history, deals, tasks


def get_deal(session, deal_id: int) -> dict:
    """The deal card: the deal, its history (with the rule behind each automatic change), tasks,
    approvals, comments, documents, invoices, and the deals linked to it."""
    row = deal_row(session, deal_id)
    history = session.execute(sa.select(deal_history).where(deal_history.c.deal_id == deal_id)
                              .order_by(deal_history.c.id)).mappings()
    task_rows = session.execute(sa.select(tasks).where(tasks.c.deal_id == deal_id).order_by(tasks.c.due_at)).mappings()
    children = session.execute(row_query().where(deals.c.parent_deal_id == deal_id).order_by(deals.c.id)).mappings()
    return DealOutput().dump(row) | {
        "approvals": approvals.for_deal(session, deal_id),
        "comments": comments.for_deal(session, deal_id),
        "documents": documents.for_deal(session, deal_id),
        "invoices": payments.for_deal(session, deal_id),
        "history": [{"at": h["at"].isoformat(), "kind": h["kind"], "details": h["details"], "actor": h["actor"],
                     "rule_id": h["rule_id"], "rule_version": h["rule_version"]} for h in history],
        "tasks": [task_dict(t) for t in task_rows],
        "linked_deals": [DealOutput().dump(child) for child in children],
    }
