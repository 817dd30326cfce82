"""Documents of a deal, kept under DOCUMENTS_DIR in the deal's own folder: deals/<deal id>/."""
import base64
import binascii
import hashlib
import uuid
from pathlib import Path

import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import InvalidInput, NotFound
from crm_deals.deals import Actor, deal_row, log
from crm_deals.domain.documents import problems, safe_filename
from crm_deals.tables import documents


def document_dict(row) -> dict:
    return {"id": row["id"], "deal_id": row["deal_id"], "kind": row["kind"], "filename": row["filename"],
            "content_type": row["content_type"], "size": row["size"], "sha256": row["sha256"],
            "uploaded_by": row["uploaded_by"], "created_at": row["created_at"].isoformat()}


def store(tx: Transaction, directory: str, deal_id: int, kind: str, filename: str, content_type: str,
          content_b64: str, actor: Actor) -> dict:
    deal_row(tx.session, deal_id)
    try:
        content = base64.b64decode(content_b64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("invalid input", {"file": ["not base64"]}) from None
    found = problems(filename, content_type, content)
    if found:
        raise InvalidInput("the file is refused", found)
    relative = Path("deals") / str(deal_id) / f"{uuid.uuid4().hex[:12]}-{safe_filename(filename)}"
    target = Path(directory) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)  # a rollback after this leaves an unreferenced file, never a missing one
    row = tx.session.execute(sa.insert(documents).values(
        deal_id=deal_id, kind=kind, filename=safe_filename(filename), content_type=content_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), path=str(relative), uploaded_by=actor.user_id,
    ).returning(*documents.c)).mappings().one()
    log(tx, deal_id, "document_added", actor, document_id=row["id"], document_kind=kind, filename=row["filename"])
    return document_dict(row)


def read(session, directory: str, deal_id: int, document_id: int) -> dict:
    row = session.execute(sa.select(documents).where(documents.c.id == document_id, documents.c.deal_id == deal_id)
                          ).mappings().first()
    if row is None:
        raise NotFound(f"document {document_id} not found", {"document_id": document_id})
    content = (Path(directory) / row["path"]).read_bytes()
    return document_dict(row) | {"content_b64": base64.b64encode(content).decode()}


def for_deal(session, deal_id: int) -> list[dict]:
    rows = session.execute(sa.select(documents).where(documents.c.deal_id == deal_id).order_by(documents.c.id))
    return [document_dict(row) for row in rows.mappings()]

