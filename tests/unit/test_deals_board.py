from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crm_deals.domain.board import client_type, days_in_stage, lay_out

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_days_in_stage_count_whole_days_and_never_go_negative():
    assert days_in_stage(NOW - timedelta(hours=23, minutes=59), NOW) == 0
    assert days_in_stage(NOW - timedelta(days=3, hours=1), NOW) == 3
    assert days_in_stage(NOW + timedelta(seconds=5), NOW) == 0  # clocks a moment apart


def test_the_pipeline_client_type_wins_and_otherwise_a_company_makes_a_business():
    assert client_type("private", 17) == "private"
    assert client_type(None, 17) == "business"
    assert client_type(None, None) == "private"


def stage(stage_id, code, count=0, amount=0, kind="open", required_fields=(), required_documents=()):
    return {"id": stage_id, "code": code, "name": code.title(), "kind": kind, "count": count, "amount": amount,
            "required_fields": list(required_fields), "required_documents": list(required_documents)}


def card(deal_id, stage_id, **extra):
    return {"id": deal_id, "stage_id": stage_id, "title": f"Сделка {deal_id}", "amount": Decimal("10.50"),
            "responsible_id": 5, "contact_id": 9, "company_id": None, "stage_entered_at": NOW - timedelta(days=2),
            "has_overdue_tasks": False, **extra}


def test_cards_go_under_their_stages_in_the_order_given_and_empty_stages_stay():
    stages = [stage(1, "new", 5, Decimal("52.5")),
              stage(2, "offer", required_fields=["address"], required_documents=["contract"]),
              stage(3, "won", 1, 7, "won")]
    cards = [card(30, 3), card(12, 1, has_overdue_tasks=True), card(11, 1, company_id=4)]
    board = lay_out(stages, cards, None, NOW)
    assert [(s["code"], s["count"], s["amount"], [d["id"] for d in s["deals"]]) for s in board] == [
        ("new", 5, "52.50", [12, 11]), ("offer", 0, "0.00", []), ("won", 1, "7.00", [30])]
    assert (board[1]["required_fields"], board[1]["required_documents"]) == (["address"], ["contract"])
    first, second = board[0]["deals"]
    assert first == {"id": 12, "title": "Сделка 12", "amount": "10.50", "responsible_id": 5, "contact_id": 9,
                     "company_id": None, "client_type": "private",
                     "stage_entered_at": (NOW - timedelta(days=2)).isoformat(), "days_in_stage": 2,
                     "has_overdue_tasks": True}
    assert (second["client_type"], second["has_overdue_tasks"]) == ("business", False)
