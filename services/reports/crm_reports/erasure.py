"""A contact's personal data erased (leads' contact.erased.v1): mask it in what reports keeps.

The event store keeps every event (a rebuild replays them), so the person is masked inside the
stored envelopes; the read models lose the text naming them (a deal's title, say). No row goes:
leads per day, communications, KPIs and funnels count the same before and after, and a rebuild
from the masked store gives the same numbers. The erasure event itself is not stored here: it
carries the person's identifiers, which no one keeps (`crm_chassis.erasure`).
"""
from dataclasses import replace

import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.erasure import Erasure, mask_table, scrub_envelopes, scrub_plumbing
from crm_reports.tables import PROJECTION_TABLES, deals, event_store, segments


def erase_contact(tx: Transaction, erasure: Erasure) -> None:
    own = tx.session.execute(sa.select(deals.c.deal_id).where(deals.c.contact_id.in_(erasure.contact_ids))).scalars()
    erasure = replace(erasure, deal_ids=tuple(sorted({*erasure.deal_ids, *own})))
    scrub_envelopes(tx.session, event_store.c.envelope, erasure)
    for table in (*PROJECTION_TABLES, segments):
        mask_table(tx.session, table, erasure)
    scrub_plumbing(tx.session, erasure)
