"""Deals' part of the one search (`GET /search`; leads finds contacts, companies and leads): a deal by
its number, or by its title on the trigram index deals_title_trgm, typos only when no title holds the words
(crm_chassis.search). Closed deals are found too; archived ones are not. `responsible_ids` (None:
everyone's) is where who may see which deal is decided."""
from dataclasses import replace

from crm_chassis.search import by_likeness, by_words, found, ranked, result, visible
from crm_chassis.sql import fold
from crm_deals.domain.search import EXACT, LIKENESS_WEIGHT, TITLE_SCORE, DealSearch, read_query
from crm_deals.tables import deals, pipelines, stages


def search(session, q: str, limit: int, responsible_ids: set[int] | None = None) -> dict:
    query = read_query(fold(q))
    lines = find_deals(session, query, limit, responsible_ids)
    if query.words and not lines:
        lines = find_deals(session, replace(query, typos=True), limit, responsible_ids)
    return {"results": lines, "counts": {"deal": len(lines)}}


def find_deals(session, query: DealSearch, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    branches = [found(deals, EXACT, deals.c.id == query.number)] if query.number is not None else []
    if query.words:
        branches.append(by_words(deals, deals.c.title, query.words, TITLE_SCORE, limit))
    if query.typos:
        branches.append(by_likeness(deals, deals.c.title, query.text, LIKENESS_WEIGHT, limit))
    rows = ranked(session, deals, branches,
                  [deals.c.title, deals.c.amount, deals.c.responsible_id, deals.c.closed_at,
                   pipelines.c.name.label("pipeline_name"), stages.c.name.label("stage_name")],
                  visible(deals, responsible_ids), limit,
                  joins=[(pipelines, pipelines.c.id == deals.c.pipeline_id), (stages, stages.c.id == deals.c.stage_id)])
    return [result("deal", row, f"#{row['id']} {row['title']}", row["pipeline_name"], row["stage_name"],
                   f"{row['amount']:.2f} ₽") | {"amount": f"{row['amount']:.2f}", "closed": row["closed_at"] is not None}
            for row in rows]
