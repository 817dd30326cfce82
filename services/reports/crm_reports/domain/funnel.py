"""Funnels, losses, forecast and problem orders as pure functions of stage visits and deals.

A visit is a deal's stay in a stage: entered when the deal was created there or moved there,
left when it moved on (None while it is still there). Events do not carry a stage's position,
so a pipeline's stage order is the order in which deals reach stages (the mean step number of
the visits), which is the configured order wherever deals follow it.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass
class Visit:
    deal_id: int
    stage: str
    kind: str  # open | won | lost
    step: int  # 0 for the stage a deal was created in, then 1, 2, ...
    entered_at: datetime
    left_at: datetime | None


def stage_order(visits: list[Visit]) -> list[str]:
    steps = defaultdict(list)
    for visit in visits:
        steps[visit.stage].append(visit.step)
    return sorted(steps, key=lambda stage: (sum(steps[stage]) / len(steps[stage]), stage))


def funnel(visits: list[Visit]) -> list[dict]:
    """Per stage, in order, for the deals whose visits are given (a cohort): deals that reached
    it, conversion from the previous open stage in percent, and the mean hours spent there
    (visits that have ended). Lost stages are listed after the open and won ones."""
    reached = defaultdict(set)
    hours = defaultdict(list)
    kinds = {}
    for visit in visits:
        reached[visit.stage].add(visit.deal_id)
        kinds[visit.stage] = visit.kind
        if visit.left_at is not None:
            hours[visit.stage].append((visit.left_at - visit.entered_at).total_seconds() / 3600)
    ordered = stage_order(visits)
    ordered = [s for s in ordered if kinds[s] != "lost"] + [s for s in ordered if kinds[s] == "lost"]
    rows, previous = [], None
    for stage in ordered:
        count = len(reached[stage])
        conversion = None
        if kinds[stage] != "lost" and previous:
            conversion = round(100 * count / previous, 1)
        rows.append({"stage": stage, "kind": kinds[stage], "deals": count, "conversion": conversion,
                     "mean_hours_in_stage": round(sum(hours[stage]) / len(hours[stage]), 1) if hours[stage] else None})
        if kinds[stage] != "lost":
            previous = count
    return rows


def shares(reasons: list[tuple[str, str]]) -> list[dict]:
    """(source, reason) pairs -> counts and shares in percent within each source, most frequent first."""
    counts = defaultdict(int)
    totals = defaultdict(int)
    for source, reason in reasons:
        counts[(source, reason)] += 1
        totals[source] += 1
    return [{"source": source, "reason": reason, "count": count, "share": round(100 * count / totals[source], 1)}
            for (source, reason), count in sorted(counts.items(), key=lambda item: (item[0][0], -item[1], item[0][1]))]


def default_probabilities(open_stages: list[str]) -> dict[str, Decimal]:
    """By position: the k-th of n open stages closes with probability k / (n + 1)."""
    n = len(open_stages)
    return {stage: (Decimal(k) / (n + 1)).quantize(Decimal("0.01")) for k, stage in enumerate(open_stages, 1)}


def forecast(open_deals: list[dict], order: list[str], configured: dict[str, Decimal]) -> list[dict]:
    """Open deals per stage: count, amount, probability (configured, else by position among the
    pipeline's open stages `order`; 0.5 for a stage never seen in order), weighted amount."""
    probabilities = {**default_probabilities(order), **configured}
    per_stage: dict = {}
    for deal in open_deals:
        count, amount = per_stage.get(deal["stage"], (0, Decimal("0")))
        per_stage[deal["stage"]] = (count + 1, amount + deal["amount"])
    rows = []
    for stage in [s for s in order if s in per_stage] + sorted(set(per_stage) - set(order)):
        count, amount = per_stage[stage]
        probability = probabilities.get(stage, Decimal("0.5"))
        rows.append({"stage": stage, "deals": count, "amount": f"{amount:.2f}", "probability": f"{probability:.2f}",
                     "weighted": f"{(amount * probability).quantize(Decimal('0.01')):.2f}"})
    return rows


def problems(open_since: datetime, overdue_tasks: int, open_tasks: int, now: datetime, stuck_days: int) -> list[str]:
    """Why an open deal is a problem order: overdue tasks, stuck beyond the norm, nothing planned."""
    found = []
    if overdue_tasks:
        found.append("overdue_tasks")
    if (now - open_since).total_seconds() > stuck_days * 86400:
        found.append("stuck")
    if not open_tasks:
        found.append("no_next_contact")
    return found


def parse_numbers(text: str, cast=Decimal) -> dict:
    """`pipeline:stage=0.4,stage2=0.7` -> {"pipeline:stage": 0.4, "stage2": 0.7} (configuration)."""
    values = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        key, _, value = part.partition("=")
        values[key.strip()] = cast(value.strip())
    return values


# How far an outbound message got; a later event never moves it back.
DELIVERY_RANK = {"queued": 1, "sent": 2, "delivered": 3, "read": 3, "undelivered": 3, "failed": 3}
DELIVERED = ("delivered", "read")
NOT_DELIVERED = ("undelivered", "failed")


def delivery_rates(statuses: list[tuple[str, str]]) -> list[dict]:
    """Per channel, of (channel, furthest status) pairs: messages, delivered, failed, in flight, shares."""
    by_channel: dict[str, dict] = {}
    for channel, status in statuses:
        row = by_channel.setdefault(channel, {"channel": channel, "messages": 0, "delivered": 0, "failed": 0,
                                              "in_flight": 0})
        row["messages"] += 1
        key = "delivered" if status in DELIVERED else "failed" if status in NOT_DELIVERED else "in_flight"
        row[key] += 1
    for row in by_channel.values():
        row["delivered_share"] = round(row["delivered"] / row["messages"], 4)
        row["failed_share"] = round(row["failed"] / row["messages"], 4)
    return [by_channel[channel] for channel in sorted(by_channel)]
