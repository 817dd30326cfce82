"""The reports service: a thin nameko adapter over projections (events in) and queries (reports out)."""
from datetime import UTC, datetime

from nameko.timer import timer

from crm_chassis.erasure import Erasure
from crm_chassis.handlers import on_event
from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_reports import audit, erasure, exports, projections, queries
from crm_reports.readings import AUDITED_PRODUCERS, READINGS, AnyEvent, ContactErasedReading
from crm_reports.domain.calendar import local_day
from crm_reports.schemas import (AbcQuery, AuditQuery, CrewLoadQuery, ForecastQuery, FunnelQuery, KpiQuery, LeadsPerDayQuery,
                                 LossesQuery, ProblemsQuery, SegmentClientsQuery, SegmentInput)
from crm_reports.settings import Settings

KPI_SNAPSHOT_SECONDS = 300  # today's row in the registry is at most this old when the day ends


def _now() -> datetime:
    return datetime.now(UTC)


def _out(report: dict, fmt: str, name: str, title: str, chart=None):
    if fmt == "json":
        return report
    if fmt == "svg":
        return exports.svg(chart(report), name)
    return exports.file(report, name, title, fmt)


class ReportsService(ServiceBase):
    name = "reports"

    @property
    def settings(self) -> Settings:
        return Settings.from_config(self.config)

    @rpc
    def leads_per_day(self, **query) -> dict:
        params = load(LeadsPerDayQuery(), query)
        return self.db.read(queries.leads_per_day, **params)

    @rpc
    def kpi_registry(self, **query):
        params = load(KpiQuery(), query)
        fmt = params.pop("format")
        report = self.db.read(queries.kpi_registry, self.settings, _now(), **params)
        return _out(report, fmt, "kpi", "Показатели менеджеров", exports.kpi_chart)

    @timer(interval=KPI_SNAPSHOT_SECONDS)
    def snapshot_kpis(self):
        self.db.transaction(queries.snapshot, self.settings, _now())

    @rpc
    def abc(self, **query):
        params = load(AbcQuery(), query)
        fmt = params.pop("format")
        settings = self.settings
        report = self.db.read(queries.abc_report, settings, local_day(_now(), settings.timezone), **params)
        return _out(report, fmt, "abc", "ABC-контроль контактов", exports.abc_chart)

    @rpc
    def funnel(self, **query):
        params = load(FunnelQuery(), query)
        fmt = params.pop("format")
        report = self.db.read(queries.funnel_report, self.settings, **params)
        return _out(report, fmt, "funnel", "Воронка", exports.funnel_chart)

    @rpc
    def losses(self, **query):
        params = load(LossesQuery(), query)
        fmt = params.pop("format")
        return _out(self.db.read(queries.losses_report, self.settings, **params), fmt, "losses", "Причины отказов")

    @rpc
    def forecast(self, **query):
        params = load(ForecastQuery(), query)
        fmt = params.pop("format")
        return _out(self.db.read(queries.forecast_report, self.settings, **params), fmt, "forecast", "Прогноз продаж")

    @rpc
    def problem_orders(self, **query):
        params = load(ProblemsQuery(), query)
        fmt = params.pop("format")
        report = self.db.read(queries.problem_orders, self.settings, _now(), **params)
        return _out(report, fmt, "problem-orders", "Проблемные заказы")

    @rpc
    def delivery(self, **query):
        params = load(CrewLoadQuery(), query)
        fmt = params.pop("format")
        return _out(self.db.read(queries.delivery, self.settings, **params), fmt, "delivery", "Доставка сообщений")

    @rpc
    def crew_load(self, **query):
        params = load(CrewLoadQuery(), query)
        fmt = params.pop("format")
        return _out(self.db.read(queries.crew_load, self.settings, **params), fmt, "crew-load", "Загрузка бригад")

    @rpc
    def create_segment(self, **spec) -> dict:
        return self.db.transaction(queries.create_segment, **load(SegmentInput(), spec))

    @rpc
    def segments(self) -> list[dict]:
        return self.db.read(queries.list_segments)

    @rpc
    def segment_clients(self, **query):
        params = load(SegmentClientsQuery(), query)
        fmt = params.pop("format")
        report = self.db.read(queries.segment_clients, self.settings, _now(), params["segment_id"])
        return _out(report, fmt, f"segment-{params['segment_id']}", "Сегмент")

    @rpc
    def audit(self, **query) -> list[dict]:
        return self.db.read(audit.entries, **load(AuditQuery(), query))

    @rpc
    def rebuild(self) -> dict:
        settings = self.settings

        def rebuild_and_snapshot(tx):
            result = projections.rebuild(tx, settings.timezone)
            queries.snapshot(tx, settings, _now())
            return result

        return self.db.transaction(rebuild_and_snapshot)

    @on_event("leads", "contact.erased.v1", ContactErasedReading)
    def erase_contact(self, tx, erased, envelope):
        erasure.erase_contact(tx, Erasure.read(erased))


def _handler(name: str):
    def apply(self, tx, data, envelope):
        projections.record_and_apply(tx, envelope, data, self.config["COMPANY_TIMEZONE"])

    apply.__name__ = name
    return apply


# One idempotent handler per event reports reads (`apply_lead_created_v1`, ...), each storing the
# event and applying its projection in one transaction; the inbox and parking go by that name.
for (_source, _event_type), _reading in READINGS.items():
    _name = "apply_" + _event_type.replace(".", "_")
    setattr(ReportsService, _name, on_event(_source, _event_type, _reading)(_handler(_name)))


def _auditor(name: str):
    def apply(self, tx, data, envelope):
        audit.record_event(tx, envelope)

    apply.__name__ = name
    return apply


# The audit trail: one handler per producer (`audit_leads`, ...) bound with the topic wildcard `#`
# to every event type on its exchange, so an event type added later is recorded without a line here.
for _producer in AUDITED_PRODUCERS:
    setattr(ReportsService, f"audit_{_producer}", on_event(_producer, "#", AnyEvent)(_auditor(f"audit_{_producer}")))
