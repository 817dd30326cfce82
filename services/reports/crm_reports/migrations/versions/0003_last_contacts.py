"""last contact per company, contact, lead and deal: the ABC report reads these instead of every communication

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

LINKS = ("company", "contact", "lead", "deal")


def upgrade():
    op.create_table(
        "last_contacts",
        sa.Column("link", sa.Text, primary_key=True),
        sa.Column("link_id", sa.BigInteger, primary_key=True),
        sa.Column("contact_kind", sa.Text, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    for link in LINKS:
        op.execute(f"""INSERT INTO last_contacts (link, link_id, contact_kind, at)
                       SELECT '{link}', {link}_id, contact_kind, max(occurred_at) FROM communications
                       WHERE contact_kind IS NOT NULL AND {link}_id IS NOT NULL GROUP BY {link}_id, contact_kind""")
        op.drop_index(f"communications_contacts_by_{link}_id", "communications")


def downgrade():
    for link in LINKS:
        op.create_index(f"communications_contacts_by_{link}_id", "communications",
                        [f"{link}_id", "contact_kind", "occurred_at"],
                        postgresql_where=sa.text(f"contact_kind IS NOT NULL AND {link}_id IS NOT NULL"))
    op.drop_table("last_contacts")
