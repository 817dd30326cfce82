"""departments, their members, and each role's read and write scope (with the defaults)

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

SCOPE_CHECK = "IN ('own', 'department', 'all', 'none')"
DEFAULT_SCOPES = [  # role, read, write
    ("admin", "all", "all"),
    ("head_of_sales", "department", "department"),
    ("manager", "department", "department"),
    ("operator", "all", "all"),
    ("controller", "all", "none"),
    ("crew_member", "own", "own"),
]


def upgrade():
    op.create_table(
        "departments",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("archived_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "department_members",
        sa.Column("department_id", sa.BigInteger, sa.ForeignKey("departments.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("department_members_user_id", "department_members", ["user_id"])
    scopes = op.create_table(
        "role_scopes",
        sa.Column("role", sa.Text, primary_key=True),
        sa.Column("read_scope", sa.Text, nullable=False),
        sa.Column("write_scope", sa.Text, nullable=False),
        sa.CheckConstraint(f"read_scope {SCOPE_CHECK}", name="role_scopes_read"),
        sa.CheckConstraint(f"write_scope {SCOPE_CHECK}", name="role_scopes_write"),
    )
    op.bulk_insert(scopes, [{"role": role, "read_scope": read, "write_scope": write}
                            for role, read, write in DEFAULT_SCOPES])


def downgrade():
    op.drop_table("role_scopes")
    op.drop_table("department_members")
    op.drop_table("departments")
