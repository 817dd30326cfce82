"""Users, passwords (Argon2id) and opaque bearer tokens (stored only as SHA-256 hashes).

Every change to a user or a session writes its audit entry in the same transaction.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_gateway import audit, password_policy
from crm_gateway.errors import Conflict, InvalidInput, NotFound
from crm_gateway.tables import tokens, users

_hasher = PasswordHasher()
# Verifying against this when the login is unknown keeps both answers equally slow.
_DUMMY_HASH = _hasher.hash("not a password")
# Taken by every change that could leave the system without an active admin, so two admins
# demoting each other at once cannot both succeed.
_ADMINS_LOCK = sa.func.pg_advisory_xact_lock(sa.func.hashtext("crm_gateway.admins"))


@dataclass(frozen=True)
class User:
    id: int
    login: str
    full_name: str
    role: str
    active: bool = True
    version: int = 1
    archived_at: datetime | None = None
    must_change_password: bool = False

    def as_dict(self) -> dict:
        return {"id": self.id, "login": self.login, "full_name": self.full_name, "role": self.role,
                "active": self.active, "version": self.version,
                "archived_at": self.archived_at and self.archived_at.isoformat(),
                "must_change_password": self.must_change_password}


@dataclass(frozen=True)
class Session:
    token: str
    user: User
    expires_at: datetime


_USER = (users.c.id, users.c.login, users.c.full_name, users.c.role, users.c.active, users.c.version,
         users.c.archived_at, users.c.must_change_password)
_CAN_LOG_IN = (users.c.active, users.c.archived_at.is_(None))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _refuse_weak(field: str, password: str, login: str, current_password: str | None = None) -> None:
    problems = password_policy.problems(password, login, current_password)
    if problems:
        raise InvalidInput("the password does not meet the password policy", {field: problems})


class Accounts:
    def __init__(self, engine: AsyncEngine, token_ttl: timedelta):
        self.engine = engine
        self.token_ttl = token_ttl

    # -- sessions ---------------------------------------------------------------------------

    async def log_in(self, login: str, password: str) -> Session | None:
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                sa.select(*_USER, users.c.password_hash).where(users.c.login == login, *_CAN_LOG_IN)
            )).mappings().first()
            if not _verifies(row["password_hash"] if row else _DUMMY_HASH, password) or row is None:
                # Never the password; an unknown login is named as typed, so those attempts show too.
                await audit.record(conn, "user", row["id"] if row else login, "login_failed", audit.actor_of(None))
                return None
            user = User(**{key: row[key] for key in row.keys() if key != "password_hash"})
            session = await self._open_session(conn, user)
            await audit.record(conn, "user", user.id, "logged_in", audit.actor_of(user))
        return session

    async def _open_session(self, conn: AsyncConnection, user: User) -> Session:
        token = secrets.token_urlsafe(32)
        expires_at = datetime.now(UTC) + self.token_ttl
        await conn.execute(sa.insert(tokens).values(token_hash=_token_hash(token), user_id=user.id,
                                                    expires_at=expires_at))
        return Session(token, user, expires_at)

    async def user_for_token(self, token: str) -> User | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                sa.select(*_USER).join(tokens, tokens.c.user_id == users.c.id)
                .where(tokens.c.token_hash == _token_hash(token), tokens.c.expires_at > sa.func.now(), *_CAN_LOG_IN)
            )).first()
        return User(**row._mapping) if row else None

    async def log_out(self, token: str, user: User) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(sa.delete(tokens).where(tokens.c.token_hash == _token_hash(token)))
            await audit.record(conn, "user", user.id, "logged_out", audit.actor_of(user))

    # -- passwords --------------------------------------------------------------------------

    async def change_password(self, user: User, old_password: str, new_password: str) -> Session:
        """The user's own change: every session of theirs ends, a fresh one is opened for this client."""
        problems = {}
        new_problems = password_policy.problems(new_password, user.login, current_password=old_password)
        if new_problems:
            problems["new_password"] = new_problems
        actor = audit.actor_of(user)
        async with self.engine.begin() as conn:
            password_hash = (await conn.execute(
                sa.select(users.c.password_hash).where(users.c.id == user.id).with_for_update())).scalar_one()
            if not _verifies(password_hash, old_password):
                problems["old_password"] = ["wrong password"]
                await audit.record(conn, "user", user.id, "password_change_failed", actor)
            elif not problems:
                row = (await conn.execute(
                    sa.update(users).where(users.c.id == user.id)
                    .values(password_hash=_hasher.hash(new_password), must_change_password=False).returning(*_USER)
                )).first()
                await conn.execute(sa.delete(tokens).where(tokens.c.user_id == user.id))
                session = await self._open_session(conn, User(**row._mapping))
                await audit.record(conn, "user", user.id, "password_changed", actor)
        if problems:
            raise InvalidInput("the password was not changed", problems)
        return session

    async def reset_password(self, by: User, user_id: int) -> tuple[User, str]:
        """An admin's reset: every session ends; the temporary password must be changed at the next login."""
        temporary = password_policy.temporary_password()
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                sa.update(users).where(users.c.id == user_id)
                .values(password_hash=_hasher.hash(temporary), must_change_password=True).returning(*_USER)
            )).first()
            if row is None:
                raise NotFound(f"user {user_id} not found", {"user_id": user_id})
            await conn.execute(sa.delete(tokens).where(tokens.c.user_id == user_id))
            await audit.record(conn, "user", user_id, "password_reset", audit.actor_of(by))
        return User(**row._mapping), temporary

    # -- the user as a record ---------------------------------------------------------------

    async def create_user(self, login: str, full_name: str, role: str, password: str,
                          by: User | None = None) -> User | None:
        """Create the user (`by` whom: None is the command line); None if the login is taken."""
        _refuse_weak("password", password, login)
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                sa.dialects.postgresql.insert(users)
                .values(login=login, full_name=full_name, role=role, password_hash=_hasher.hash(password))
                .on_conflict_do_nothing(index_elements=[users.c.login])
                .returning(*_USER)
            )).first()
            if row:
                await audit.record(conn, "user", row.id, "created", audit.actor_of(by), {
                    field: {"from": None, "to": value}
                    for field, value in (("login", login), ("full_name", full_name), ("role", role))})
        return User(**row._mapping) if row else None

    async def update_user(self, by: User, user_id: int, wanted: dict, expected_version: int | None) -> User:
        """Change full_name, role or active; only what really changes counts, and bumps the version."""
        async with self.engine.begin() as conn:
            if {"role", "active"} & wanted.keys():
                await conn.execute(sa.select(_ADMINS_LOCK))
            current = await self._locked(conn, user_id, expected_version)
            changes = {field: {"from": getattr(current, field), "to": value}
                       for field, value in wanted.items() if getattr(current, field) != value}
            if not changes:
                return current
            if changes.get("active", {}).get("to") is False and user_id == by.id:
                raise Conflict("you cannot deactivate yourself", {"active": ["you cannot deactivate yourself"]})
            stays_admin = wanted.get("role", current.role) == "admin" and wanted.get("active", current.active)
            if current.role == "admin" and current.active and not stays_admin:
                await self._refuse_last_admin(conn, user_id)
            user = await self._save(conn, user_id, {field: change["to"] for field, change in changes.items()})
            if not user.active:
                await conn.execute(sa.delete(tokens).where(tokens.c.user_id == user_id))
            actor = audit.actor_of(by)
            await audit.record(conn, "user", user_id, "changed", actor, changes)
            if "role" in changes:
                await audit.record(conn, "user", user_id, "role_changed", actor, {"role": changes["role"]})
        return user

    async def archive(self, by: User, user_id: int, expected_version: int | None) -> User:
        """Hidden from lists and pickers, unable to log in, sessions ended; the name stays for history
        (the route has refused an admin archiving themselves)."""
        async with self.engine.begin() as conn:
            current = await self._locked(conn, user_id, expected_version)
            if current.archived_at is not None:
                return current
            user = await self._save(conn, user_id, {"archived_at": sa.func.now()})
            await conn.execute(sa.delete(tokens).where(tokens.c.user_id == user_id))
            await audit.record(conn, "user", user_id, "archived", audit.actor_of(by))
        return user

    async def restore(self, by: User, user_id: int, expected_version: int | None) -> User:
        async with self.engine.begin() as conn:
            current = await self._locked(conn, user_id, expected_version)
            if current.archived_at is None:
                return current
            user = await self._save(conn, user_id, {"archived_at": None})
            await audit.record(conn, "user", user_id, "restored", audit.actor_of(by))
        return user

    async def _locked(self, conn: AsyncConnection, user_id: int, expected_version: int | None) -> User:
        row = (await conn.execute(sa.select(*_USER).where(users.c.id == user_id).with_for_update())).first()
        if row is None:
            raise NotFound(f"user {user_id} not found", {"user_id": user_id})
        if expected_version is not None and row.version != expected_version:
            raise Conflict(f"user {user_id} changed since you read it",
                           {"version": [f"changed since you read it; it is now {row.version}"]})
        return User(**row._mapping)

    async def _save(self, conn: AsyncConnection, user_id: int, values: dict) -> User:
        row = (await conn.execute(sa.update(users).where(users.c.id == user_id)
                                  .values(**values, version=users.c.version + 1).returning(*_USER))).first()
        return User(**row._mapping)

    async def _refuse_last_admin(self, conn: AsyncConnection, user_id: int) -> None:
        other_admin = (await conn.execute(sa.select(users.c.id).where(
            users.c.role == "admin", *_CAN_LOG_IN, users.c.id != user_id).limit(1))).first()
        if other_admin is None:
            raise Conflict("the last active admin must stay an admin",
                           {"role": ["the last active admin must stay an admin"]})

    # -- reading ----------------------------------------------------------------------------

    async def get_user(self, user_id: int) -> User | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(*_USER).where(users.c.id == user_id))).first()
        return User(**row._mapping) if row else None

    async def ids_for_logins(self, logins: set[str]) -> list[int]:
        if not logins:
            return []
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(users.c.id).where(users.c.login.in_(logins), *_CAN_LOG_IN))
        return sorted(row.id for row in rows)

    async def list_users(self, archived: bool = False) -> list[User]:
        """Users not archived, or (archived=True) only the archived ones."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(*_USER).where(_archived(archived)).order_by(users.c.id))
        return [User(**row._mapping) for row in rows]

    async def directory(self, archived: bool = False) -> list[dict]:
        """Who is who, for showing names and picking people: no logins, no secrets; dismissed users too
        (old deals name them); archived ones only when asked for (archived=True gives only them)."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(users.c.id, users.c.full_name, users.c.role, users.c.active)
                                      .where(_archived(archived)).order_by(users.c.full_name, users.c.id))
        return [dict(row._mapping) for row in rows]


def _archived(archived: bool):
    return users.c.archived_at.is_not(None) if archived else users.c.archived_at.is_(None)
