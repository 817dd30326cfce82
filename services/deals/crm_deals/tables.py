import sqlalchemy as sa

metadata = sa.MetaData()

pipelines = sa.Table(
    "pipelines",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
)

stages = sa.Table(
    "stages",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("pipeline_id", sa.BigInteger, sa.ForeignKey("pipelines.id"), nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.UniqueConstraint("pipeline_id", "code", name="stages_pipeline_code"),
)

deals = sa.Table(
    "deals",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("pipeline_id", sa.BigInteger, sa.ForeignKey("pipelines.id"), nullable=False),
    sa.Column("stage_id", sa.BigInteger, sa.ForeignKey("stages.id"), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("contact_id", sa.BigInteger),
    sa.Column("amount", sa.Numeric(14, 2), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
