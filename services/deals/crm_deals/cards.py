"""The deal card: everything about one deal, assembled from the modules that own each part."""
import sqlalchemy as sa

from crm_deals import approvals, comments, documents, payments
from crm_deals.deals import check_scope, deal_row, in_scope, row_query, task_dict
from crm_deals.schemas import DealOutput
from crm_deals.tables import automation_rule_versions, deal_history, deals, tasks


def get_deal(session, deal_id: int) -> dict:
    """The deal card as the viewer may see it: a deal out of their scope is not found."""
    check_scope(session, deal_id)
    return deal_card(session, deal_id)


def deal_card(session, deal_id: int) -> dict:
    """The deal card: the deal, its history (with the rule, its version and its name at that version
    behind each automatic change), tasks, approvals, comments, documents, invoices, the deal it was
    opened from and the deals opened from it (those the viewer may see). After a change the writer
    gets it even when the change put the deal out of their scope (handed to another department)."""
    row = deal_row(session, deal_id)
    rule_name = automation_rule_versions.c.definition["name"].astext.label("rule_name")
    history = session.execute(
        sa.select(deal_history, rule_name)
        .outerjoin(automation_rule_versions, sa.and_(automation_rule_versions.c.rule_id == deal_history.c.rule_id,
                                                     automation_rule_versions.c.version == deal_history.c.rule_version))
        .where(deal_history.c.deal_id == deal_id).order_by(deal_history.c.id)).mappings()
    task_rows = session.execute(sa.select(tasks).where(tasks.c.deal_id == deal_id).order_by(tasks.c.due_at)).mappings()
    children = session.execute(row_query().where(deals.c.parent_deal_id == deal_id, *in_scope())
                               .order_by(deals.c.id)).mappings()
    parent = row["parent_deal_id"] and session.execute(
        row_query().where(deals.c.id == row["parent_deal_id"], *in_scope())).mappings().first()
    return DealOutput().dump(row) | {
        "approvals": approvals.for_deal(session, deal_id),
        "comments": comments.for_deal(session, deal_id),
        "documents": documents.for_deal(session, deal_id),
        "invoices": payments.for_deal(session, deal_id),
        "history": [{"at": h["at"].isoformat(), "kind": h["kind"], "details": h["details"], "actor": h["actor"],
                     "rule_id": h["rule_id"], "rule_version": h["rule_version"], "rule_name": h["rule_name"]}
                    for h in history],
        "tasks": [task_dict(t) for t in task_rows],
        "parent_deal": parent and DealOutput().dump(parent),
        "linked_deals": [DealOutput().dump(child) for child in children],
    }
