from crm_chassis.migrate import run_alembic_env
from crm_notify.tables import metadata

run_alembic_env(metadata)
