"""A test's own database in the test profile's server, with fresh tables."""
import sqlalchemy as sa

from crm_chassis.migrate import ensure_database


def fresh_database(infrastructure: dict, name: str, *metadatas: sa.MetaData) -> str:
    """The URL of database `<db_prefix>_<name>`, created if missing, its tables dropped and created anew."""
    url = f"{infrastructure['postgres']}/{infrastructure['db_prefix']}_{name}"
    ensure_database(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for metadata in metadatas:
            metadata.drop_all(conn)
            metadata.create_all(conn)
    engine.dispose()
    return url
