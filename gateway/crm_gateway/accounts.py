"""Users, passwords (Argon2id) and opaque bearer tokens (stored only as SHA-256 hashes)."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_gateway import audit
from crm_gateway.tables import tokens, users

_hasher = PasswordHasher()
# Verifying against this when the login is unknown keeps both answers equally slow.
_DUMMY_HASH = _hasher.hash("not a password")


@dataclass(frozen=True)
class User:
    id: int
    login: str
    full_name: str
    role: str

    def as_dict(self) -> dict:
        return {"id": self.id, "login": self.login, "full_name": self.full_name, "role": self.role}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, engine: AsyncEngine, token_ttl: timedelta):
        self.engine = engine
        self.token_ttl = token_ttl

    async def create_user(self, login: str, full_name: str, role: str, password: str,
                          by: User | None = None) -> User | None:
        """Create the user (`by` whom: None is the command line); None if the login is taken."""
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                sa.dialects.postgresql.insert(users)
                .values(login=login, full_name=full_name, role=role, password_hash=_hasher.hash(password))
                .on_conflict_do_nothing(index_elements=[users.c.login])
                .returning(users.c.id, users.c.login, users.c.full_name, users.c.role)
            )).first()
            if row:
                await audit.record(conn, "user", row.id, "created", audit.actor_of(by), {
                    name: {"from": None, "to": value} for name, value in
                    (("login", login), ("full_name", full_name), ("role", role))})
        return User(**row._mapping) if row else None

    async def log_in(self, login: str, password: str) -> tuple[str, User, datetime] | None:
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                sa.select(users).where(users.c.login == login, users.c.active)
            )).mappings().first()
            try:
                _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
            except (VerificationError, InvalidHashError):
                if row is not None:
                    await audit.record(conn, "user", row["id"], "login_failed", audit.actor_of(None))
                return None
            if row is None:
                return None
            token = secrets.token_urlsafe(32)
            expires_at = datetime.now(UTC) + self.token_ttl
            await conn.execute(sa.insert(tokens).values(
                token_hash=_token_hash(token), user_id=row["id"], expires_at=expires_at
            ))
            user = User(id=row["id"], login=row["login"], full_name=row["full_name"], role=row["role"])
            await audit.record(conn, "user", user.id, "logged_in", audit.actor_of(user))
        return token, user, expires_at

    async def user_for_token(self, token: str) -> User | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                sa.select(users.c.id, users.c.login, users.c.full_name, users.c.role)
                .join(tokens, tokens.c.user_id == users.c.id)
                .where(tokens.c.token_hash == _token_hash(token), tokens.c.expires_at > sa.func.now(),
                       users.c.active)
            )).first()
        return User(**row._mapping) if row else None

    async def log_out(self, token: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(sa.delete(tokens).where(tokens.c.token_hash == _token_hash(token)))

    async def deactivate(self, user_id: int, by: User | None = None) -> User | None:
        """A dismissed user can no longer log in; their sessions end now."""
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                sa.update(users).where(users.c.id == user_id).values(active=False)
                .returning(users.c.id, users.c.login, users.c.full_name, users.c.role)
            )).first()
            await conn.execute(sa.delete(tokens).where(tokens.c.user_id == user_id))
            if row:
                await audit.record(conn, "user", user_id, "dismissed", audit.actor_of(by),
                                   {"active": {"from": True, "to": False}})
        return User(**row._mapping) if row else None

    async def get_user(self, user_id: int) -> User | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(users.c.id, users.c.login, users.c.full_name, users.c.role)
                                      .where(users.c.id == user_id))).first()
        return User(**row._mapping) if row else None

    async def ids_for_logins(self, logins: set[str]) -> list[int]:
        if not logins:
            return []
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(users.c.id).where(users.c.login.in_(logins), users.c.active))
        return sorted(row.id for row in rows)

    async def list_users(self) -> list[User]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(users.c.id, users.c.login, users.c.full_name, users.c.role).order_by(users.c.id)
            )
        return [User(**row._mapping) for row in rows]

    async def directory(self) -> list[dict]:
        """Who is who, for showing names: no logins, no secrets; dismissed users too (old deals name them)."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(users.c.id, users.c.full_name, users.c.role, users.c.active)
                                      .order_by(users.c.full_name, users.c.id))
        return [dict(row._mapping) for row in rows]
