"""A contact's personal data erased (leads' contact.erased.v1): mask the messages sent to them.

Messages to their phones, e-mails and Telegram chat keep their channel, template, times and
delivery status (delivery reports stay right) but lose the recipient and the body (one not yet
sent is cancelled: there is no one left to send it to); messages to staff about their deals
(a crew leader's job notice with the client's address) keep their recipient but lose body and
subject. An opt-out of theirs is kept as a hash of
the address (`domain.messages.erased_opt_out`), so it still holds.
"""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.erasure import MASK, Erasure, mask_table, pattern, scrub_plumbing
from crm_notify.domain.messages import CANCELLED, PENDING, erased_opt_out
from crm_notify.tables import notifications, opt_outs

ERASED_RECIPIENT = "erased"


def erase_contact(tx: Transaction, erasure: Erasure) -> None:
    identifiers = pattern(erasure.personal.identifiers())
    to_them = notifications.c.recipient.op("~*")(identifiers) if identifiers else sa.false()
    theirs = sa.or_(to_them, notifications.c.deal_id.in_(erasure.deal_ids))
    bodies = tuple(tx.session.execute(sa.select(notifications.c.body).where(theirs)).scalars())
    tx.session.execute(sa.update(notifications).where(theirs).values(
        body=MASK, subject=sa.case((notifications.c.subject.is_(None), None), else_=MASK)))
    tx.session.execute(sa.update(notifications).where(to_them).values(
        recipient=ERASED_RECIPIENT,
        idempotency_key=sa.func.concat("erased:", notifications.c.id),  # the old key held the address
        status=sa.case((notifications.c.status == PENDING, CANCELLED), else_=notifications.c.status)))
    if identifiers:
        _hash_opt_outs(tx.session, identifiers)
    mask_table(tx.session, notifications, erasure)
    scrub_plumbing(tx.session, erasure, texts=bodies)  # an in-app notice's event holds its body


def _hash_opt_outs(session, identifiers: str) -> None:
    theirs = session.execute(sa.select(opt_outs.c.channel, opt_outs.c.address)
                             .where(opt_outs.c.address.op("~*")(identifiers))).all()
    for channel, address in theirs:
        session.execute(sa.update(opt_outs).where(opt_outs.c.channel == channel, opt_outs.c.address == address)
                        .values(address=erased_opt_out(address)))
