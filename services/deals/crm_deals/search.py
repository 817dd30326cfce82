"""Deals' part of the one search (`GET /search`; leads finds contacts, companies and leads): a deal by
its number, or by its title on the trigram index deals_title_trgm; when no title holds the words,
mistyped words are corrected against search_words and the search runs again (crm_chassis.search). Closed deals are found too; archived ones are not. `responsible_ids` (None:
everyone's) is where who may see which deal is decided."""
from crm_chassis.search import by_words, closest_words, corrections, found, matches_first, ranked, result, visible
from crm_chassis.sql import fold, words_of
from crm_deals.deals import open_pipelines
from crm_deals.domain.search import EXACT, DealSearch, corrected, read_query
from crm_deals.tables import deals, pipelines, search_words, stages


def search(session, q: str, limit: int, responsible_ids: set[int] | None = None) -> dict:
    text = fold(q)
    query = read_query(text, words_of(text))
    with matches_first(session, query.words):
        lines = find_deals(session, query, limit, responsible_ids)
        fixed = corrections(query.words, closest_words(session, search_words, query.words)) \
            if query.words and not lines else None
        if fixed:
            lines = find_deals(session, corrected(query, *fixed), limit, responsible_ids)
    return {"results": lines, "counts": {"deal": len(lines)}}


def find_deals(session, query: DealSearch, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    branches = [found(deals, EXACT, deals.c.id == query.number)] if query.number is not None else []
    if query.words:
        branches.append(by_words(deals, deals.c.title, query.words, query.title_score, limit))
    rows = ranked(session, deals, branches,
                  [deals.c.title, deals.c.amount, deals.c.responsible_id, deals.c.closed_at,
                   pipelines.c.name.label("pipeline_name"), stages.c.name.label("stage_name")],
                  [*visible(deals, responsible_ids), open_pipelines()], limit,
                  joins=[(pipelines, pipelines.c.id == deals.c.pipeline_id), (stages, stages.c.id == deals.c.stage_id)])
    return [result("deal", row, f"#{row['id']} {row['title']}", row["pipeline_name"], row["stage_name"],
                   f"{row['amount']:.2f} ₽") | {"amount": f"{row['amount']:.2f}", "closed": row["closed_at"] is not None}
            for row in rows]
