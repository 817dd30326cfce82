"""Reading the read models: each report is `{"columns": [{key, label}], "rows": [...]}` plus extras,
JSON primitives only (dates as ISO strings, money as strings); labels are what people read."""
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_chassis.errors import InvalidInput, NotFound
from crm_chassis.scope import visible, visible_ids
from crm_reports.domain import abc, funnel, kpi
from crm_reports.domain.calendar import day_start, local_day, month_start
from crm_reports.settings import Settings
from crm_reports.tables import (activities, bookings, companies, contact_companies, deal_visits, deals, kpi_snapshots,
                                last_contacts, leads, leads_by_day, losses, message_deliveries, segments, tasks)


def _columns(*pairs: tuple[str, str]) -> list[dict]:
    return [{"key": key, "label": label} for key, label in pairs]


def _ordered(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise InvalidInput("invalid input", {"date_from": ["must not be after date_to"]})


def _period(settings: Settings, date_from: date, date_to: date) -> tuple[datetime, datetime]:
    _ordered(date_from, date_to)
    return day_start(date_from, settings.timezone), day_start(date_to + timedelta(days=1), settings.timezone)


def leads_per_day(session, date_from: date, date_to: date, source: str | None) -> dict:
    _ordered(date_from, date_to)
    query = (
        sa.select(leads_by_day)
        .where(leads_by_day.c.day.between(date_from, date_to))
        .order_by(leads_by_day.c.day, leads_by_day.c.source)
    )
    if source:
        query = query.where(leads_by_day.c.source == source)
    rows = [
        {"day": row.day.isoformat(), "source": row.source, "leads": row.leads}
        for row in session.execute(query)
    ]
    return {"columns": _columns(("day", "День"), ("source", "Источник"), ("leads", "Лидов")),
            "rows": rows, "total": sum(row["leads"] for row in rows)}


# -- KPIs per manager ----------------------------------------------------------------------

def kpi_live(session, settings: Settings, now: datetime, manager_id: int | None = None) -> dict[int, dict[str, str]]:
    """Today's twelve indicators per manager, from the current read models (domain.kpi)."""
    today = local_day(now, settings.timezone)
    since = day_start(month_start(today), settings.timezone)
    deal_query = sa.select(deals).where(sa.or_(deals.c.stage_kind != "lost", deals.c.created_at >= since),
                                        deals.c.archived_at.is_(None))  # an archived deal (a duplicate) counts nowhere
    task_query = sa.select(tasks).where(tasks.c.status == "open", tasks.c.archived_at.is_(None))
    activity_query = sa.select(activities).where(activities.c.day == today)
    if manager_id is not None:
        deal_query = deal_query.where(deals.c.responsible_id == manager_id)
        task_query = task_query.where(tasks.c.deal_id.in_(deal_query.with_only_columns(deals.c.deal_id)))
        activity_query = activity_query.where(activities.c.manager_id == manager_id)
    tz = settings.timezone
    values = kpi.compute(
        [kpi.Deal(r.deal_id, r.pipeline, r.stage, r.stage_kind, r.responsible_id, r.amount, local_day(r.created_at, tz),
                  r.closed_at and local_day(r.closed_at, tz), r.fields) for r in session.execute(deal_query)],
        [kpi.Task(r.task_id, r.deal_id, r.assignee_id, r.due_at, r.status) for r in session.execute(task_query)],
        [kpi.Activity(r.kind, r.manager_id, r.day, r.ref) for r in session.execute(activity_query)],
        today, now, settings.mapping)
    seen = visible_ids()
    return {manager: {code: kpi.as_text(code, value) for code, value in row.items()}
            for manager, row in values.items()
            if (manager_id is None or manager == manager_id) and (seen is None or manager in seen)}


def snapshot(tx: Transaction, settings: Settings, now: datetime) -> dict:
    """Write today's values into the registry (the timer does this; earlier days stay as written)."""
    today = local_day(now, settings.timezone)
    rows = [{"manager_id": manager, "day": today, "indicator": code, "value": value}
            for manager, values in kpi_live(tx.session, settings, now).items() for code, value in values.items()]
    if rows:
        statement = pg_insert(kpi_snapshots).values(rows)
        tx.session.execute(statement.on_conflict_do_update(
            index_elements=[kpi_snapshots.c.manager_id, kpi_snapshots.c.day, kpi_snapshots.c.indicator],
            set_={"value": statement.excluded.value, "taken_at": sa.func.now()}))
    return {"day": today.isoformat(), "managers": len({row["manager_id"] for row in rows})}


def kpi_columns(indicators: list[str]) -> list[dict]:
    pairs = [("manager_id", "Менеджер"), ("day", "День")]
    for code in indicators:
        pairs += [(code, kpi.BY_CODE[code].label), (f"{code}_change", f"{kpi.BY_CODE[code].label}: изменение")]
    return _columns(*pairs)


def kpi_registry(session, settings: Settings, now: datetime, date_from: date, date_to: date,
                 manager_id: int | None = None, indicators: list[str] | None = None) -> dict:
    """One row per manager per day: each indicator's value and its change against the day before.

    Past days come from the registry (kpi_snapshots); today, when in range, is live, read in
    one snapshot so that deals, tasks and activities agree with each other.
    """
    _ordered(date_from, date_to)
    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    codes = list(indicators or kpi.CODES)
    query = sa.select(kpi_snapshots.c.manager_id, kpi_snapshots.c.day, kpi_snapshots.c.indicator,
                      kpi_snapshots.c.value).where(
        kpi_snapshots.c.day.between(date_from - timedelta(days=1), date_to), kpi_snapshots.c.indicator.in_(codes),
        visible(kpi_snapshots.c.manager_id))
    if manager_id is not None:
        query = query.where(kpi_snapshots.c.manager_id == manager_id)
    values: dict[tuple[int, date], dict[str, str]] = defaultdict(dict)
    for row in session.execute(query):
        values[(row.manager_id, row.day)][row.indicator] = row.value
    today = local_day(now, settings.timezone)
    if date_from <= today <= date_to:
        for manager, live in kpi_live(session, settings, now, manager_id).items():
            values[(manager, today)] = {code: live[code] for code in codes}
    rows = []
    for (manager, day), row in sorted(values.items()):
        if day < date_from:
            continue
        before = values.get((manager, day - timedelta(days=1)), {})
        line = {"manager_id": manager, "day": day.isoformat()}
        for code in codes:
            line[code] = row.get(code)
            line[f"{code}_change"] = kpi.change(row[code], before.get(code)) if code in row else None
        rows.append(line)
    return {"columns": kpi_columns(codes), "rows": rows,
            "indicators": [{"code": code, "label": kpi.BY_CODE[code].label} for code in codes]}


# -- ABC contact control -------------------------------------------------------------------

def _last_contacts(company_filter) -> sa.Select:
    """Per company, the last call and the last e-mail that count (domain.abc), by any of the four links."""
    lc = last_contacts
    routes = [
        sa.select(lc.c.link_id.label("company_id"), lc.c.contact_kind, lc.c.at).where(lc.c.link == "company"),
        sa.select(contact_companies.c.company_id, lc.c.contact_kind, lc.c.at)
        .join(contact_companies, contact_companies.c.contact_id == lc.c.link_id).where(lc.c.link == "contact"),
        sa.select(leads.c.company_id, lc.c.contact_kind, lc.c.at)
        .join(leads, leads.c.lead_id == lc.c.link_id).where(lc.c.link == "lead", leads.c.company_id.is_not(None)),
        sa.select(deals.c.company_id, lc.c.contact_kind, lc.c.at)
        .join(deals, deals.c.deal_id == lc.c.link_id).where(lc.c.link == "deal", deals.c.company_id.is_not(None)),
    ]
    moments = sa.union_all(*routes).subquery()
    return (sa.select(moments.c.company_id,
                      sa.func.max(moments.c.at).filter(moments.c.contact_kind == "call").label("last_call"),
                      sa.func.max(moments.c.at).filter(moments.c.contact_kind == "email").label("last_email"))
            .where(moments.c.company_id.in_(company_filter))
            .group_by(moments.c.company_id))


ABC_COLUMNS = _columns(("company_id", "Компания (ID)"), ("name", "Название"), ("category", "Категория"),
                       ("last_call", "Последний звонок"), ("last_email", "Последнее письмо"),
                       ("responsible_id", "Ответственный"), ("overdue", "Просрочен"))


def abc_report(session, settings: Settings, today: date, responsible_id: int | None = None,
               company_id: int | None = None, category: str | None = None, overdue: str = "all",
               limit: int = 500, offset: int = 0) -> dict:
    selected = sa.select(companies.c.company_id).where(visible(companies.c.responsible_id))
    for column, value in ((companies.c.responsible_id, responsible_id), (companies.c.company_id, company_id),
                          (companies.c.category, category)):
        if value is not None:
            selected = selected.where(column == value)
    last = _last_contacts(selected).subquery()
    query = (sa.select(companies, last.c.last_call, last.c.last_email)
             .outerjoin(last, last.c.company_id == companies.c.company_id)
             .where(companies.c.company_id.in_(selected)).order_by(companies.c.company_id))
    tz = settings.timezone
    rows = []
    for row in session.execute(query):
        call = row.last_call and local_day(row.last_call, tz)
        email = row.last_email and local_day(row.last_email, tz)
        late = abc.is_overdue(row.category, call, email, today, settings.intervals)
        if overdue == "all" or (overdue == "yes") == late:
            rows.append({"company_id": row.company_id, "name": row.name, "category": row.category,
                         "last_call": call and call.isoformat(), "last_email": email and email.isoformat(),
                         "responsible_id": row.responsible_id, "overdue": late})
    return {"columns": ABC_COLUMNS, "rows": rows[offset:offset + limit], "total": len(rows),
            "per_employee": abc.overdue_share(rows), "intervals": settings.intervals}


# -- funnels, losses, forecast -------------------------------------------------------------

def _visits(session, pipeline: str, created_from: datetime | None = None, created_to: datetime | None = None):
    """The stage visits of the pipeline's deals the viewer may see (created in the period, if given)."""
    query = sa.select(deal_visits).where(deal_visits.c.pipeline == pipeline)
    cohort = sa.select(deals.c.deal_id).where(visible(deals.c.responsible_id))
    if created_from is not None:
        cohort = cohort.where(deals.c.created_at >= created_from, deals.c.created_at < created_to)
    if created_from is not None or visible_ids() is not None:
        query = query.where(deal_visits.c.deal_id.in_(cohort))
    return [funnel.Visit(r.deal_id, r.stage, r.kind, r.step, r.entered_at, r.left_at)
            for r in session.execute(query.order_by(deal_visits.c.id))]


FUNNEL_COLUMNS = _columns(("stage", "Этап"), ("kind", "Тип"), ("deals", "Сделок"), ("conversion", "Конверсия, %"),
                          ("mean_hours_in_stage", "Среднее время в этапе, ч"))


def funnel_report(session, settings: Settings, pipeline: str, date_from: date, date_to: date) -> dict:
    """The deals of a pipeline created in the period, stage by stage."""
    start, end = _period(settings, date_from, date_to)
    return {"pipeline": pipeline, "columns": FUNNEL_COLUMNS, "rows": funnel.funnel(_visits(session, pipeline, start, end))}


LOSS_COLUMNS = _columns(("source", "Источник"), ("reason", "Причина"), ("count", "Количество"), ("share", "Доля, %"))


def losses_report(session, settings: Settings, date_from: date, date_to: date, pipeline: str | None = None) -> dict:
    """Lost leads (each lost stage of the lead pipeline is a reason) and lost deals (the lost stage)."""
    start, end = _period(settings, date_from, date_to)
    query = sa.select(losses.c.source, losses.c.reason).where(losses.c.lost_at >= start, losses.c.lost_at < end,
                                                              visible(losses.c.responsible_id))
    if pipeline:
        query = query.where(losses.c.pipeline == pipeline)
    return {"columns": LOSS_COLUMNS, "rows": funnel.shares([tuple(row) for row in session.execute(query)])}


FORECAST_COLUMNS = _columns(("pipeline", "Воронка"), ("stage", "Этап"), ("deals", "Сделок"), ("amount", "Сумма"),
                            ("probability", "Вероятность"), ("weighted", "Прогноз"))


def forecast_report(session, settings: Settings, pipeline: str | None = None) -> dict:
    query = sa.select(deals.c.pipeline, deals.c.stage, deals.c.amount).where(deals.c.stage_kind == "open",
                                                                              deals.c.archived_at.is_(None),
                                                                              visible(deals.c.responsible_id))
    if pipeline:
        query = query.where(deals.c.pipeline == pipeline)
    per_pipeline = defaultdict(list)
    for row in session.execute(query):
        per_pipeline[row.pipeline].append({"stage": row.stage, "amount": row.amount})
    rows = []
    for name in sorted(per_pipeline):
        visits = _visits(session, name)
        order = [stage for stage in funnel.stage_order(visits)
                 if all(v.kind == "open" for v in visits if v.stage == stage)]
        rows += [{"pipeline": name, **row}
                 for row in funnel.forecast(per_pipeline[name], order, settings.probabilities_for(name))]
    total = sum((Decimal(row["weighted"]) for row in rows), Decimal("0"))
    return {"columns": FORECAST_COLUMNS, "rows": rows, "total_weighted": f"{total:.2f}"}


# -- operations ----------------------------------------------------------------------------

PROBLEM_COLUMNS = _columns(("deal_id", "Сделка"), ("title", "Название"), ("pipeline", "Воронка"), ("stage", "Этап"),
                           ("responsible_id", "Ответственный"), ("days_in_stage", "Дней в этапе"),
                           ("overdue_tasks", "Просроченных задач"), ("problems", "Проблемы"))
PROBLEM_LABELS = {"overdue_tasks": "просрочены задачи", "stuck": "застряла в этапе",
                  "no_next_contact": "нет следующего контакта"}


def problem_orders(session, settings: Settings, now: datetime, responsible_id: int | None = None) -> dict:
    open_task = sa.and_(tasks.c.status == "open", tasks.c.archived_at.is_(None))
    open_tasks = sa.func.count(tasks.c.task_id).filter(open_task)
    overdue = sa.func.count(tasks.c.task_id).filter(open_task, tasks.c.due_at < now)
    query = (sa.select(deals.c.deal_id, deals.c.title, deals.c.pipeline, deals.c.stage, deals.c.responsible_id,
                       deals.c.stage_entered_at, open_tasks.label("open_tasks"), overdue.label("overdue_tasks"))
             .outerjoin(tasks, tasks.c.deal_id == deals.c.deal_id)
             .where(deals.c.stage_kind == "open", deals.c.archived_at.is_(None), visible(deals.c.responsible_id))
             .group_by(deals.c.deal_id).order_by(deals.c.deal_id))
    if responsible_id is not None:
        query = query.where(deals.c.responsible_id == responsible_id)
    rows = []
    for row in session.execute(query):
        found = funnel.problems(row.stage_entered_at, row.overdue_tasks, row.open_tasks, now,
                                settings.stuck_norm(row.pipeline, row.stage))
        if found:
            rows.append({"deal_id": row.deal_id, "title": row.title, "pipeline": row.pipeline, "stage": row.stage,
                         "responsible_id": row.responsible_id,
                         "days_in_stage": (now - row.stage_entered_at).days, "overdue_tasks": row.overdue_tasks,
                         "problems": [PROBLEM_LABELS[code] for code in found], "codes": found})
    return {"columns": PROBLEM_COLUMNS, "rows": rows}


CREW_COLUMNS = _columns(("day", "День"), ("crew_id", "Бригада (ID)"), ("crew_name", "Бригада"),
                        ("bookings", "Выездов"), ("hours", "Часов"))


def crew_load(session, settings: Settings, date_from: date, date_to: date) -> dict:
    """Bookings not cancelled, per crew and local day of their start, with the hours booked."""
    start, end = _period(settings, date_from, date_to)
    query = (sa.select(bookings).where(bookings.c.status != "cancelled", bookings.c.starts_at >= start,
                                       bookings.c.starts_at < end).order_by(bookings.c.starts_at))
    load: dict = {}
    for row in session.execute(query):
        key = (local_day(row.starts_at, settings.timezone), row.crew_id)
        count, seconds, _ = load.get(key, (0, 0.0, row.crew_name))
        load[key] = (count + 1, seconds + (row.ends_at - row.starts_at).total_seconds(), row.crew_name)
    rows = [{"day": day.isoformat(), "crew_id": crew, "crew_name": name, "bookings": count,
             "hours": round(seconds / 3600, 2)} for (day, crew), (count, seconds, name) in sorted(load.items())]
    return {"columns": CREW_COLUMNS, "rows": rows}


DELIVERY_COLUMNS = _columns(("channel", "Канал"), ("messages", "Сообщений"), ("delivered", "Доставлено"),
                            ("failed", "Не доставлено"), ("in_flight", "В пути"),
                            ("delivered_share", "Доля доставленных"), ("failed_share", "Доля недоставленных"))


def delivery(session, settings: Settings, date_from: date, date_to: date) -> dict:
    """Outbound messages first handed to a provider in the period, by how far they got, per channel."""
    start, end = _period(settings, date_from, date_to)
    pairs = session.execute(sa.select(message_deliveries.c.channel, message_deliveries.c.status)
                            .where(message_deliveries.c.first_at >= start, message_deliveries.c.first_at < end)).all()
    return {"columns": DELIVERY_COLUMNS, "rows": funnel.delivery_rates([tuple(pair) for pair in pairs])}


# -- segments ------------------------------------------------------------------------------

SEGMENT_COLUMNS = _columns(("contact_id", "Контакт (ID)"), ("company_id", "Компания (ID)"),
                           ("deal_id", "Сделка (ID)"), ("responsible_id", "Ответственный"), ("reason", "Основание"))


def create_segment(tx: Transaction, name: str, kind: str, filters: dict, created_by: int | None) -> dict:
    row = tx.session.execute(sa.insert(segments).values(name=name, kind=kind, filters=filters, created_by=created_by)
                             .returning(*segments.c)).mappings().one()
    return _segment_dict(row)


def _segment_dict(row) -> dict:
    return {"id": row["id"], "name": row["name"], "kind": row["kind"], "filters": row["filters"],
            "created_by": row["created_by"], "created_at": row["created_at"].isoformat()}


def list_segments(session) -> list[dict]:
    return [_segment_dict(row) for row in session.execute(sa.select(segments).order_by(segments.c.id)).mappings()]


def segment_clients(session, settings: Settings, now: datetime, segment_id: int) -> dict:
    """The clients a saved filter selects today: deals filters give their deals' contacts, company
    filters the companies of the ABC report and their contacts."""
    row = session.execute(sa.select(segments).where(segments.c.id == segment_id)).mappings().first()
    if row is None:
        raise NotFound(f"segment {segment_id} not found", {"segment_id": segment_id})
    today = local_day(now, settings.timezone)
    filters = row["filters"]
    if row["kind"] == "deals":
        clients = _deal_clients(session, settings, today, filters)
    else:
        clients = _company_clients(session, settings, today, filters)
    return {"segment": _segment_dict(row), "columns": SEGMENT_COLUMNS, "rows": clients}


def _deal_clients(session, settings: Settings, today: date, filters: dict) -> list[dict]:
    query = sa.select(deals).where(visible(deals.c.responsible_id)).order_by(deals.c.deal_id)
    if filters.get("open_only", True):
        query = query.where(deals.c.stage_kind == "open")
    for key in ("pipeline", "stage", "responsible_id"):
        if filters.get(key) is not None:
            query = query.where(deals.c[key] == filters[key])
    within = filters.get("membership_ends_within_days")
    end_field = deals.c.fields[settings.mapping.membership_end].astext
    if within is not None:
        query = query.where(end_field.between(today.isoformat(), (today + timedelta(days=within)).isoformat()))
    return [{"contact_id": r.contact_id, "company_id": r.company_id, "deal_id": r.deal_id,
             "responsible_id": r.responsible_id,
             "reason": f"абонемент до {r.fields.get(settings.mapping.membership_end)}" if within is not None else r.stage}
            for r in session.execute(query)]


def _company_clients(session, settings: Settings, today: date, filters: dict) -> list[dict]:
    report = abc_report(session, settings, today, filters.get("responsible_id"), None, filters.get("category"),
                        filters.get("overdue", "all"), limit=10**9)
    ids = [row["company_id"] for row in report["rows"]]
    contacts = defaultdict(list)
    for link in session.execute(sa.select(contact_companies).where(contact_companies.c.company_id.in_(ids))):
        contacts[link.company_id].append(link.contact_id)
    reason = {True: "просрочен контакт", False: "контакт в срок"}
    return [{"contact_id": contact, "company_id": row["company_id"], "deal_id": None,
             "responsible_id": row["responsible_id"], "reason": f"категория {row['category']}, {reason[row['overdue']]}"}
            for row in report["rows"] for contact in (contacts[row["company_id"]] or [None])]
