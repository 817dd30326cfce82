"""A contact's personal data erased (leads' contact.erased.v1): mask it in what reports keeps.

The event store keeps every event (a rebuild replays them), so the stored events about the person
keep only the data reports' readings use (a booking's address, a call's recording link go), with
the person masked in what is left; the read models lose the text naming them (a deal's title, say). No row goes:
leads per day, communications, KPIs and funnels count the same before and after, and a rebuild
from the masked store gives the same numbers. The erasure event itself is not stored here: it
carries the person's identifiers, which no one keeps (`crm_chassis.erasure`).
"""
from dataclasses import replace

import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.erasure import Erasure, envelope_about, mask_table, scrub_envelopes, scrub_plumbing
from crm_reports import audit
from crm_reports.domain.audit import masked_data, subject
from crm_reports.readings import READINGS
from crm_reports.tables import PROJECTION_TABLES, deals, event_store, segments


def erase_contact(tx: Transaction, erasure: Erasure) -> None:
    own = tx.session.execute(sa.select(deals.c.deal_id).where(deals.c.contact_id.in_(erasure.contact_ids))).scalars()
    erasure = replace(erasure, deal_ids=tuple(sorted({*erasure.deal_ids, *own})))
    _keep_what_is_read(tx.session, erasure)
    scrub_envelopes(tx.session, event_store.c.envelope, erasure)
    for table in (*PROJECTION_TABLES, segments):
        mask_table(tx.session, table, erasure)
    scrub_plumbing(tx.session, erasure)
    audit.mask_person(tx.session, [*(subject("contact", i) for i in erasure.contact_ids),
                                   *(subject("deal", i) for i in erasure.deal_ids)])


def _keep_what_is_read(session, erasure: Erasure) -> None:
    """Stored events about the person keep only the data keys their reading loads: a rebuild reads
    nothing else, and the rest (addresses, links, names) is theirs."""
    about = session.execute(sa.select(event_store.c.position, event_store.c.envelope)
                            .where(envelope_about(event_store.c.envelope, erasure))).all()
    for position, envelope in about:
        reading = READINGS.get((envelope["producer"], envelope["event_type"]))
        if reading is None:  # kept for the audit alone: its fields and ids stay, its values go
            kept = masked_data(envelope["data"])
        else:
            read = {field.data_key or name for name, field in reading().load_fields.items()}
            kept = {key: value for key, value in envelope["data"].items() if key in read}
        if kept != envelope["data"]:
            session.execute(sa.update(event_store).where(event_store.c.position == position)
                            .values(envelope={**envelope, "data": kept}))
