"""The twelve daily indicators per manager (scenario S2), as pure functions of what reports knows.

"Today" and "this month" are days of the company's time zone. A deal belongs to its current
responsible; a task to its assignee; an activity to the manager it was attributed to when it
happened (see `projections`). "Open" means the deal's current stage is neither won nor lost.

Field-based indicators read the deal's custom fields through `FieldMapping` (which field code
holds "plans to come", "membership end date" and "service", and which stage is "membership
ended"), and apply only to deals of `FieldMapping.pipelines` (empty: every pipeline).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

CLOSED_KINDS = ("won", "lost")


@dataclass(frozen=True)
class FieldMapping:
    plans_to_come: str = "plans_to_come"
    membership_end: str = "membership_end"
    service: str = "service"
    membership_ended_stage: str = "membership_ended"
    pipelines: tuple[str, ...] = ()

    def applies_to(self, deal: "Deal") -> bool:
        return not self.pipelines or deal.pipeline in self.pipelines


@dataclass
class Deal:
    deal_id: int
    pipeline: str
    stage: str
    stage_kind: str
    responsible_id: int | None
    amount: Decimal
    created_day: date
    closed_day: date | None = None
    fields: dict = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return self.stage_kind not in CLOSED_KINDS


@dataclass
class Task:
    task_id: int
    deal_id: int
    assignee_id: int | None
    due_at: datetime
    status: str  # open | done


@dataclass
class Activity:
    """Something a manager did: kind is task_completed, communication, deal_moved, lead_moved or lead_converted."""

    kind: str
    manager_id: int
    day: date
    ref: int  # the task, communication, deal or lead


def _empty(value) -> bool:
    return value in (None, "", [])


def _membership_ended_wrong(deal: Deal, mapping: FieldMapping, today: date) -> bool:
    end = deal.fields.get(mapping.membership_end)
    try:
        ended = end is not None and date.fromisoformat(str(end)) < today
    except ValueError:
        ended = False
    return (deal.stage == mapping.membership_ended_stage) != ended


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str  # Russian: what people read
    money: bool = False


INDICATORS = (
    Indicator("done_today", "Сделано сегодня"),
    Indicator("deals_created_today", "Сделок создано сегодня"),
    Indicator("no_planned_activity", "Сделки без запланированных дел"),
    Indicator("overdue_deals", "Просроченные сделки"),
    Indicator("plans_to_come_empty", "Не заполнено «Планирует прийти»"),
    Indicator("membership_end_empty", "Не заполнена дата окончания абонемента"),
    Indicator("service_not_set", "Не указана услуга"),
    Indicator("membership_ended_wrong", "Неверный статус «Абонемент закончился»"),
    Indicator("won_sum_month", "Сумма выигранных сделок за месяц", money=True),
    Indicator("in_progress_sum_month", "Сумма сделок в работе за месяц", money=True),
    Indicator("leads_processed_today", "Обработано лидов сегодня"),
    Indicator("total_activity_today", "Всего активностей сегодня"),
)
CODES = tuple(indicator.code for indicator in INDICATORS)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}


def compute(deals: list[Deal], tasks: list[Task], activities: list[Activity], today: date, now: datetime,
            mapping: FieldMapping) -> dict[int, dict[str, int | Decimal]]:
    """Every indicator for every manager seen, for the day `today` at the moment `now`.

    - done_today: tasks the manager completed today (activities of kind task_completed).
    - deals_created_today: the manager's deals created today.
    - no_planned_activity: the manager's open deals without any open task.
    - overdue_deals: the manager's open deals with an open task due before `now`.
    - plans_to_come_empty / membership_end_empty / service_not_set: the manager's open deals
      (of the mapped pipelines) whose mapped field is empty.
    - membership_ended_wrong: the manager's deals (of the mapped pipelines) not closed as lost
      whose stage says "membership ended" while the end date is not before today, or whose
      end date is before today while the stage says otherwise.
    - won_sum_month: amounts of the manager's deals won this month (by the day closed).
    - in_progress_sum_month: amounts of the manager's open deals created this month.
    - leads_processed_today: distinct leads of the manager moved to another stage or
      converted today.
    - total_activity_today: everything the manager did today: tasks completed, completed
      calls and messages attributed to them, deals moved and leads moved or converted.
    """
    month = (today.year, today.month)
    values: dict[int, dict] = defaultdict(lambda: {code: Decimal("0") if BY_CODE[code].money else 0
                                                   for code in CODES})
    open_tasks = defaultdict(list)
    for task in tasks:
        if task.status == "open":
            open_tasks[task.deal_id].append(task)
    for deal in deals:
        if deal.responsible_id is None:
            continue
        row = values[deal.responsible_id]
        row["deals_created_today"] += deal.created_day == today
        if deal.stage_kind == "won" and deal.closed_day and (deal.closed_day.year, deal.closed_day.month) == month:
            row["won_sum_month"] += deal.amount
        if deal.open and (deal.created_day.year, deal.created_day.month) == month:
            row["in_progress_sum_month"] += deal.amount
        if deal.open:
            pending = open_tasks.get(deal.deal_id, [])
            row["no_planned_activity"] += not pending
            row["overdue_deals"] += any(task.due_at < now for task in pending)
        if mapping.applies_to(deal):
            if deal.open:
                row["plans_to_come_empty"] += _empty(deal.fields.get(mapping.plans_to_come))
                row["membership_end_empty"] += _empty(deal.fields.get(mapping.membership_end))
                row["service_not_set"] += _empty(deal.fields.get(mapping.service))
            if deal.stage_kind != "lost":
                row["membership_ended_wrong"] += _membership_ended_wrong(deal, mapping, today)
    processed = defaultdict(set)
    for activity in activities:
        if activity.day != today:
            continue
        row = values[activity.manager_id]
        row["total_activity_today"] += 1
        row["done_today"] += activity.kind == "task_completed"
        if activity.kind in ("lead_moved", "lead_converted"):
            processed[activity.manager_id].add(activity.ref)
    for manager_id, leads in processed.items():
        values[manager_id]["leads_processed_today"] = len(leads)
    return {manager: dict(row) for manager, row in values.items()}


def as_text(code: str, value) -> str:
    """Money as a string with two decimals, counts as integers in text: JSON primitives."""
    return f"{Decimal(value):.2f}" if BY_CODE[code].money else str(int(value))


def change(value: str, previous: str | None) -> str | None:
    """The change against the previous day, in the indicator's own unit; None with no previous day."""
    if previous is None:
        return None
    difference = Decimal(value) - Decimal(previous)
    return f"{difference:.2f}" if "." in value else str(int(difference))
