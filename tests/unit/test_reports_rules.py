"""Report rules without I/O: each KPI definition, the ABC rule, funnels, forecast, charts and exports."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from crm_reports import exports
from crm_reports.domain import abc, charts, funnel, kpi

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MAPPING = kpi.FieldMapping()
FULL = {"plans_to_come": "2026-11-25", "membership_end": "2026-12-31", "service": "Бассейн"}


def deal(deal_id=1, stage="in_work", kind="open", manager=3, amount="100.00", created=TODAY, closed=None,
         fields=None, pipeline="fitness"):
    return kpi.Deal(deal_id, pipeline, stage, kind, manager, Decimal(amount), created, closed,
                    dict(FULL) if fields is None else fields)


def task(deal_id=1, due=NOW + timedelta(hours=1), status="open", task_id=1):
    return kpi.Task(task_id, deal_id, 3, due, status)


def values(deals=(), tasks=(), activities=(), mapping=MAPPING):
    return kpi.compute(list(deals), list(tasks), list(activities), TODAY, NOW, mapping).get(3)


def test_done_today_counts_only_tasks_completed_today():
    row = values(activities=[kpi.Activity("task_completed", 3, TODAY, 1), kpi.Activity("task_completed", 3, TODAY, 2),
                             kpi.Activity("task_completed", 3, TODAY - timedelta(days=1), 3),
                             kpi.Activity("communication", 3, TODAY, 4)])
    assert row["done_today"] == 2


def test_deals_created_today_counts_even_a_deal_already_lost():
    row = values([deal(1), deal(2, kind="lost"), deal(3, created=TODAY - timedelta(days=1))], [task(1), task(2), task(3)])
    assert row["deals_created_today"] == 2


def test_no_planned_activity_is_an_open_deal_without_an_open_task():
    row = values([deal(1), deal(2), deal(3, kind="won")], [task(1), task(2, status="done")])
    assert row["no_planned_activity"] == 1


def test_overdue_deal_has_an_open_task_past_due():
    row = values([deal(1), deal(2)], [task(1, due=NOW - timedelta(minutes=1)), task(2), task(2, status="done",
                                                                                        due=NOW - timedelta(days=2))])
    assert row["overdue_deals"] == 1


@pytest.mark.parametrize("indicator, field", [("plans_to_come_empty", "plans_to_come"),
                                              ("membership_end_empty", "membership_end"),
                                              ("service_not_set", "service")])
def test_empty_mapped_fields_count_on_open_deals_only(indicator, field):
    empty = {k: v for k, v in FULL.items() if k != field}
    row = values([deal(1, fields=empty), deal(2, fields={**FULL, field: ""}), deal(3), deal(4, kind="won", fields=empty)],
                 [task(1), task(2), task(3)])
    assert row[indicator] == 2


def test_field_indicators_read_the_configured_field_codes_and_pipelines():
    mapping = kpi.FieldMapping(service="usluga", pipelines=("fitness",))
    row = values([deal(1, fields={**FULL, "usluga": "Йога"}), deal(2, fields={}, pipeline="isp")], [task(1), task(2)],
                 mapping=mapping)
    assert row["service_not_set"] == 0 and row["plans_to_come_empty"] == 0


def test_membership_ended_wrong_either_way():
    past, future = "2026-11-01", "2026-12-31"
    row = values([
        deal(1, stage="membership_ended", fields={**FULL, "membership_end": future}),  # wrong: not ended yet
        deal(2, stage="membership_bought", fields={**FULL, "membership_end": past}),  # wrong: ended, stage says no
        deal(3, stage="membership_ended", kind="won", fields={**FULL, "membership_end": past}),  # right
        deal(4, stage="membership_bought", fields={**FULL, "membership_end": future}),  # right
        deal(5, stage="refused", kind="lost", fields={**FULL, "membership_end": past}),  # lost: not counted
    ], [task(i) for i in range(1, 6)])
    assert row["membership_ended_wrong"] == 2


def test_month_sums_won_by_close_day_and_open_by_creation_day():
    row = values([
        deal(1, kind="won", amount="1000.50", created=date(2026, 10, 2), closed=date(2026, 11, 3)),
        deal(2, kind="won", amount="7.00", closed=date(2026, 10, 31), created=date(2026, 10, 1)),
        deal(3, amount="300.00", created=date(2026, 11, 1)),
        deal(4, amount="5.00", created=date(2026, 10, 30)),
    ], [task(i) for i in range(1, 5)])
    assert (kpi.as_text("won_sum_month", row["won_sum_month"]),
            kpi.as_text("in_progress_sum_month", row["in_progress_sum_month"])) == ("1000.50", "300.00")


def test_leads_processed_are_distinct_leads_and_total_activity_counts_everything_today():
    row = values(activities=[kpi.Activity("lead_moved", 3, TODAY, 42), kpi.Activity("lead_converted", 3, TODAY, 42),
                             kpi.Activity("lead_moved", 3, TODAY, 43), kpi.Activity("communication", 3, TODAY, 9),
                             kpi.Activity("deal_moved", 3, TODAY, 1), kpi.Activity("lead_moved", 3, date(2026, 11, 1), 44)])
    assert (row["leads_processed_today"], row["total_activity_today"]) == (2, 5)


def test_change_against_the_previous_day():
    assert kpi.change("5", "3") == "2" and kpi.change("10.00", "12.50") == "-2.50" and kpi.change("1", None) is None


def test_only_completed_calls_and_emails_are_contacts():
    assert [abc.counts_as_contact("call", status) for status in ("completed", "missed", "no_answer", "planned",
                                                                  "in_progress", "failed")] == ["call"] + [None] * 5
    assert abc.counts_as_contact("email", "completed") == "email"
    assert abc.counts_as_contact("whatsapp", "completed") is None


@pytest.mark.parametrize("category, days_ago, overdue", [("A", 14, False), ("A", 15, True), ("B", 30, False),
                                                         ("B", 31, True), ("C", 60, False), ("C", 61, True)])
def test_overdue_by_the_category_interval(category, days_ago, overdue):
    last = TODAY - timedelta(days=days_ago)
    assert abc.is_overdue(category, last, None, TODAY, abc.DEFAULT_INTERVALS) is overdue


def test_the_latest_of_call_and_email_counts_and_never_contacted_is_overdue():
    old, recent = TODAY - timedelta(days=40), TODAY - timedelta(days=2)
    assert abc.is_overdue("A", old, recent, TODAY, abc.DEFAULT_INTERVALS) is False
    assert abc.is_overdue("C", None, None, TODAY, abc.DEFAULT_INTERVALS) is True
    assert abc.parse_intervals("A=7, c=90") == {"A": 7, "B": 30, "C": 90}


def test_overdue_share_per_employee():
    rows = [{"responsible_id": 3, "overdue": True}, {"responsible_id": 3, "overdue": False},
            {"responsible_id": 5, "overdue": False}]
    assert abc.overdue_share(rows) == [{"responsible_id": 3, "companies": 2, "overdue": 1, "overdue_share": 50.0},
                                       {"responsible_id": 5, "companies": 1, "overdue": 0, "overdue_share": 0.0}]


def _visits():
    t = NOW
    return [funnel.Visit(1, "new", "open", 0, t, t + timedelta(hours=2)), funnel.Visit(1, "offer", "open", 1,
                                                                                       t + timedelta(hours=2), None),
            funnel.Visit(2, "new", "open", 0, t, t + timedelta(hours=4)), funnel.Visit(2, "refused", "lost", 1,
                                                                                       t + timedelta(hours=4), None),
            funnel.Visit(3, "new", "open", 0, t, None), funnel.Visit(4, "new", "open", 0, t, None)]


def test_funnel_conversion_and_time_in_stage():
    rows = funnel.funnel(_visits())
    assert [(r["stage"], r["deals"], r["conversion"], r["mean_hours_in_stage"]) for r in rows] == [
        ("new", 4, None, 3.0), ("offer", 1, 25.0, None), ("refused", 1, None, None)]


def test_lost_reasons_with_shares_per_source():
    assert funnel.shares([("deal", "дорого"), ("deal", "дорого"), ("deal", "ушёл"), ("lead", "спам")]) == [
        {"source": "deal", "reason": "дорого", "count": 2, "share": 66.7},
        {"source": "deal", "reason": "ушёл", "count": 1, "share": 33.3},
        {"source": "lead", "reason": "спам", "count": 1, "share": 100.0}]


def test_forecast_by_position_unless_configured():
    deals = [{"stage": "new", "amount": Decimal("100")}, {"stage": "offer", "amount": Decimal("300")}]
    rows = funnel.forecast(deals, ["new", "offer", "contract"], {"offer": Decimal("0.9")})
    assert [(r["stage"], r["probability"], r["weighted"]) for r in rows] == [("new", "0.25", "25.00"),
                                                                              ("offer", "0.90", "270.00")]


def test_problem_orders_reasons():
    assert funnel.problems(NOW - timedelta(days=8), 1, 1, NOW, 7) == ["overdue_tasks", "stuck"]
    assert funnel.problems(NOW - timedelta(days=1), 0, 0, NOW, 7) == ["no_next_contact"]


def test_charts_are_svg_with_escaped_labels():
    picture = charts.bars("Доля <просроченных>", [("Сотрудник 3", 50.0, "50%")], maximum=100)
    assert picture.startswith("<svg") and "&lt;просроченных&gt;" in picture and picture.endswith("</svg>")
    assert charts.lines("Динамика", ["2026-11-22", "2026-11-23"], {"Сделано": [1, 3]}).startswith("<svg")


def test_exports_have_russian_headers_in_csv_and_xlsx():
    report = {"columns": [{"key": "name", "label": "Название"}, {"key": "overdue", "label": "Просрочен"}],
              "rows": [{"name": "ООО «Ромашка»", "overdue": True}]}
    assert exports.to_csv(report).decode("utf-8-sig").splitlines() == ["Название;Просрочен", "ООО «Ромашка»;да"]
    assert exports.to_xlsx(report, "ABC").startswith(b"PK")


def test_delivery_rates_count_each_message_once_by_how_far_it_got():
    from crm_reports.domain.funnel import delivery_rates

    rows = delivery_rates([("sms", "delivered"), ("sms", "failed"), ("sms", "queued"), ("sms", "read"),
                           ("email", "sent")])
    assert rows == [
        {"channel": "email", "messages": 1, "delivered": 0, "failed": 0, "in_flight": 1, "delivered_share": 0.0,
         "failed_share": 0.0},
        {"channel": "sms", "messages": 4, "delivered": 2, "failed": 1, "in_flight": 1, "delivered_share": 0.5,
         "failed_share": 0.25},
    ]
