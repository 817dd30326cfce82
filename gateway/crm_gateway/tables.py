"""The gateway's own database: users, their roles, their bearer tokens, and the audit of them;
departments and what each role may see and change."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

ROLES = ("admin", "head_of_sales", "manager", "operator", "crew_member", "controller")
SCOPES = ("own", "department", "all", "none")

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("login", sa.Text, nullable=False, unique=True),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("archived_at", sa.DateTime(timezone=True)),
    # After an admin's reset: the temporary password only opens the way to choosing a new one.
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("tokens_user_id", "user_id"),
)

# What happened to accounts (logins, users created and dismissed): written only by accounts.py,
# read with the services' audit by GET /audit.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), index=True),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("entity_id", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("actor_kind", sa.Text, nullable=False),
    sa.Column("actor_id", sa.Text, index=True),
    sa.Column("actor_label", sa.Text, nullable=False),
    sa.Column("actor_role", sa.Text),
    sa.Column("changes", JSONB, nullable=False, server_default="{}"),
    sa.Index("audit_log_entity", "entity", "entity_id", "at"),
)

departments = sa.Table(
    "departments",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("archived_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

department_members = sa.Table(
    "department_members",
    metadata,
    sa.Column("department_id", sa.BigInteger, sa.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("department_members_user_id", "user_id"),
)

role_scopes = sa.Table(
    "role_scopes",
    metadata,
    sa.Column("role", sa.Text, primary_key=True),
    sa.Column("read_scope", sa.Text, nullable=False),
    sa.Column("write_scope", sa.Text, nullable=False),
)
