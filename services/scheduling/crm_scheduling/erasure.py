"""A contact's personal data erased (leads' contact.erased.v1): mask the client in their jobs.

A job keeps its crew, times and status (crew load stays right); the client's name, phone and
address go. The jobs are the contact's deals' bookings and any booked under their phone; their
names and addresses as typed there are masked in scheduling's events (outbox, parked) too.
"""
from dataclasses import replace

import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.erasure import MASK, Erasure, mask_table, pattern, scrub_plumbing
from crm_scheduling.tables import bookings


def erase_contact(tx: Transaction, erasure: Erasure) -> None:
    theirs = [bookings.c.deal_id.in_(erasure.deal_ids)]
    phones = pattern(erasure.personal.identifiers())
    if phones:
        theirs.append(bookings.c.client_phone.op("~*")(phones))
    jobs = tx.session.execute(sa.select(bookings.c.id, bookings.c.client_name, bookings.c.address)
                              .where(sa.or_(*theirs))).all()
    about = bookings.c.id.in_([job.id for job in jobs])
    typed = {value for job in jobs for value in (job.client_name, job.address) if value} - {MASK}
    erasure = replace(erasure, personal=replace(erasure.personal, names=(*erasure.personal.names, *sorted(typed))))
    tx.session.execute(sa.update(bookings).where(about).values(
        client_phone=None,
        client_name=sa.case((bookings.c.client_name.is_(None), None), else_=MASK),
        address=sa.case((bookings.c.address.is_(None), None), else_=MASK)))
    mask_table(tx.session, bookings, erasure, about=about)
    scrub_plumbing(tx.session, erasure)
