"""A contact's personal data erased (leads' contact.erased.v1): mask it in deals' copies.

Deals keeps the person in the titles and fields of their deals (a converted lead's title names
them), and in comments, tasks, approvals, documents' names and history about those deals. Rows,
amounts and stages stay; only the text naming the person is masked.
"""
from dataclasses import replace

import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.erasure import Erasure, mask_table, scrub_plumbing
from crm_deals.tables import approvals, deal_comments, deal_history, deals, documents, invoices, tasks


def erase_contact(tx: Transaction, erasure: Erasure) -> None:
    own = tx.session.execute(sa.select(deals.c.id).where(deals.c.contact_id.in_(erasure.contact_ids))).scalars()
    erasure = replace(erasure, deal_ids=tuple(sorted({*erasure.deal_ids, *own})))
    mask_table(tx.session, deals, erasure, about=sa.or_(deals.c.contact_id.in_(erasure.contact_ids),
                                                         deals.c.id.in_(erasure.deal_ids)))
    for table in (deal_history, tasks, approvals, deal_comments, documents, invoices):
        mask_table(tx.session, table, erasure)
    scrub_plumbing(tx.session, erasure)
