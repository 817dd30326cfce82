"""pipelines limited to departments (empty: open to every department)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0005"
down_revision = "0004"


def upgrade():
    op.add_column("pipelines", sa.Column("department_ids", ARRAY(sa.BigInteger), nullable=False,
                                         server_default="{}"))


def downgrade():
    op.drop_column("pipelines", "department_ids")
