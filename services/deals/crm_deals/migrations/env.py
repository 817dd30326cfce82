from crm_chassis.migrate import run_alembic_env
from crm_deals.tables import metadata

run_alembic_env(metadata)
