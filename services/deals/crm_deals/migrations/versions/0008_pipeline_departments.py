"""pipelines limited to departments (empty: open to every department)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0008"
down_revision = "0007"


def upgrade():
    op.add_column("pipelines", sa.Column("department_ids", ARRAY(sa.BigInteger), nullable=False,
                                         server_default="{}"))


def downgrade():
    op.drop_column("pipelines", "department_ids")
