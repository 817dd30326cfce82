"""Report settings, read once from the service's config (config.yml, environment variables)."""
from dataclasses import dataclass
from decimal import Decimal

from crm_reports.domain.abc import parse_intervals
from crm_reports.domain.funnel import parse_numbers
from crm_reports.domain.kpi import FieldMapping


@dataclass(frozen=True)
class Settings:
    timezone: str
    intervals: dict[str, int]
    mapping: FieldMapping
    probabilities: dict[str, Decimal]  # "pipeline:stage" -> probability of winning
    stuck_days: int
    stuck_days_by_stage: dict[str, int]  # "pipeline:stage" -> days

    @classmethod
    def from_config(cls, config: dict) -> "Settings":
        def text(key: str) -> str:
            return str(config.get(key) or "")

        return cls(
            timezone=config["COMPANY_TIMEZONE"],
            intervals=parse_intervals(text("ABC_INTERVALS")),
            mapping=FieldMapping(
                plans_to_come=text("KPI_FIELD_PLANS_TO_COME") or "plans_to_come",
                membership_end=text("KPI_FIELD_MEMBERSHIP_END") or "membership_end",
                service=text("KPI_FIELD_SERVICE") or "service",
                membership_ended_stage=text("KPI_MEMBERSHIP_ENDED_STAGE") or "membership_ended",
                pipelines=tuple(filter(None, (p.strip() for p in text("KPI_PIPELINES").split(",")))),
            ),
            probabilities=parse_numbers(text("STAGE_PROBABILITIES")),
            stuck_days=int(config.get("STUCK_DAYS") or 7),
            stuck_days_by_stage=parse_numbers(text("STUCK_DAYS_BY_STAGE"), int),
        )

    def stuck_norm(self, pipeline: str, stage: str) -> int:
        return self.stuck_days_by_stage.get(f"{pipeline}:{stage}", self.stuck_days)

    def probabilities_for(self, pipeline: str) -> dict[str, Decimal]:
        prefix = f"{pipeline}:"
        return {key[len(prefix):]: value for key, value in self.probabilities.items() if key.startswith(prefix)}
