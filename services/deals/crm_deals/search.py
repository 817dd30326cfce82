"""Deals' part of the one search (`GET /search`; leads finds contacts, companies and leads): a deal by
its number, or by its title on the trigram index deals_title_trgm (crm_chassis.search). Closed deals
are found too; archived ones are not. `responsible_ids` (None: everyone's) is where who may see which
deal is decided."""
from crm_chassis.search import by_words, exact, ranked, result, visible
from crm_chassis.sql import fold
from crm_deals.domain.search import EXACT, TITLE_WEIGHT, read_query
from crm_deals.tables import deals, pipelines, stages


def search(session, q: str, limit: int, responsible_ids: set[int] | None = None) -> dict:
    found = find_deals(session, q, limit, responsible_ids)
    return {"results": found, "counts": {"deal": len(found)}}


def find_deals(session, q: str, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    query = read_query(fold(q))
    branches = [exact(deals, deals.c.id, query.number, EXACT)] if query.number is not None else []
    if query.words:
        branches.append(by_words(deals, deals.c.title, query.text, query.words, TITLE_WEIGHT))
    rows = ranked(session, deals, branches,
                  [deals.c.title, deals.c.amount, deals.c.responsible_id, deals.c.closed_at,
                   pipelines.c.name.label("pipeline_name"), stages.c.name.label("stage_name")],
                  visible(deals, responsible_ids), limit,
                  joins=[(pipelines, pipelines.c.id == deals.c.pipeline_id), (stages, stages.c.id == deals.c.stage_id)])
    return [result("deal", row, f"#{row['id']} {row['title']}", row["pipeline_name"], row["stage_name"],
                   f"{row['amount']:.2f} ₽") | {"amount": f"{row['amount']:.2f}", "closed": row["closed_at"] is not None}
            for row in rows]
