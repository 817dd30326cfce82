"""The deal kanban: stages in order, each with its totals and its newest cards."""
from datetime import datetime
from decimal import Decimal


def days_in_stage(entered_at: datetime, now: datetime) -> int:
    """Whole days since the deal entered its stage (0 on the first day; never negative)."""
    return max((now - entered_at).days, 0)


def client_type(pipeline_client_type: str | None, company_id: int | None) -> str:
    """The pipeline's client type where it serves one (converted leads open there by type);
    otherwise a deal with a company is a business's, one without a private client's."""
    return pipeline_client_type or ("business" if company_id else "private")


def lay_out(stages: list[dict], cards: list[dict], pipeline_client_type: str | None, now: datetime) -> list[dict]:
    """Each stage (with its gate, `count` and `amount` over all its deals) and, under it, its cards.

    `stages` come in board order with `id`; `cards` carry `stage_id` and come newest first.
    """
    by_stage: dict[int, list[dict]] = {stage["id"]: [] for stage in stages}
    for card in cards:
        by_stage[card["stage_id"]].append({
            "id": card["id"], "title": card["title"], "amount": str(card["amount"]),
            "responsible_id": card["responsible_id"], "contact_id": card["contact_id"],
            "company_id": card["company_id"], "client_type": client_type(pipeline_client_type, card["company_id"]),
            "stage_entered_at": card["stage_entered_at"].isoformat(),
            "days_in_stage": days_in_stage(card["stage_entered_at"], now),
            "has_overdue_tasks": bool(card["has_overdue_tasks"]),
        })
    return [{"code": stage["code"], "name": stage["name"], "kind": stage["kind"],
             "required_fields": list(stage["required_fields"]), "required_documents": list(stage["required_documents"]),
             "count": stage["count"], "amount": str(Decimal(stage["amount"]).quantize(Decimal("0.01"))),
             "deals": by_stage[stage["id"]]}
            for stage in stages]
