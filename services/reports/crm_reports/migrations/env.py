from crm_chassis.migrate import run_alembic_env
from crm_reports.tables import metadata

run_alembic_env(metadata)
