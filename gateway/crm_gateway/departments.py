"""Departments (sales, production, claims, call centre: data, not code), who is in them, what
each role may see and change, and the viewer every RPC carries (see `crm_chassis.scope`)."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_gateway.accounts import User
from crm_gateway.errors import Conflict, InvalidInput, NotFound
from crm_gateway.tables import department_members, departments, role_scopes, users


@dataclass(frozen=True)
class RoleScope:
    read: str
    write: str


def covered_ids(scope: str, user_id: int, colleague_ids: set[int], in_a_department: bool) -> list[int] | None:
    """The responsible ids a scope lets a user reach; None means everyone.

    A department scope covers the members of the user's departments; a user in no department
    belongs to a company not split into departments yet, and reaches everyone."""
    if scope == "all" or (scope == "department" and not in_a_department):
        return None
    if scope == "none":
        return []
    if scope == "own":
        return [user_id]
    return sorted(colleague_ids | {user_id})


def viewer_context(user: User, scope: RoleScope, department_ids: list[int], colleague_ids: set[int]) -> dict:
    """What the gateway sends as `nameko.viewer`; `write_ids` only where they differ from `read_ids`.

    The header must fit in one AMQP frame (128 KiB by default): a department of 5,000 users with
    seven-digit ids is about 45 KB, so departments up to about ten thousand members travel as a list."""
    in_a_department = bool(department_ids)
    read_ids = covered_ids(scope.read, user.id, colleague_ids, in_a_department)
    write_ids = covered_ids(scope.write, user.id, colleague_ids, in_a_department)
    return {"user_id": user.id, "role": user.role, "read": scope.read, "write": scope.write, "read_ids": read_ids,
            **({} if write_ids == read_ids else {"write_ids": write_ids}), "department_ids": sorted(department_ids)}


def department_dict(row, member_ids: list[int]) -> dict:
    return {"id": row["id"], "name": row["name"], "version": row["version"],
            "archived_at": row["archived_at"] and row["archived_at"].isoformat(), "member_ids": member_ids}


class Departments:
    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    async def viewer(self, user: User) -> dict:
        """The viewer of one request in one query: the role's scopes, the user's live departments and
        everyone in them."""
        mine = (sa.select(department_members.c.department_id)
                .join(departments, departments.c.id == department_members.c.department_id)
                .where(department_members.c.user_id == user.id, departments.c.archived_at.is_(None)))
        colleagues = department_members.alias("colleagues")
        query = sa.select(
            role_scopes.c.read_scope, role_scopes.c.write_scope,
            sa.select(sa.func.array_agg(mine.subquery().c.department_id)).scalar_subquery().label("department_ids"),
            sa.select(sa.func.array_agg(sa.distinct(colleagues.c.user_id)))
            .where(colleagues.c.department_id.in_(mine)).scalar_subquery().label("colleague_ids"),
        ).where(role_scopes.c.role == user.role)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:  # a role with no scope row reads and changes nothing
            return viewer_context(user, RoleScope("none", "none"), [], set())
        return viewer_context(user, RoleScope(row.read_scope, row.write_scope), list(row.department_ids or []),
                              set(row.colleague_ids or []))

    async def _members(self, conn, department_ids: list[int]) -> dict[int, list[int]]:
        rows = await conn.execute(sa.select(department_members).where(department_members.c.department_id.in_(
            department_ids)).order_by(department_members.c.user_id))
        found: dict[int, list[int]] = {i: [] for i in department_ids}
        for row in rows:
            found[row.department_id].append(row.user_id)
        return found

    async def listed(self, archived: bool) -> list[dict]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.select(departments).where(
                departments.c.archived_at.isnot(None) if archived else departments.c.archived_at.is_(None))
                .order_by(departments.c.name))).mappings().all()
            members = await self._members(conn, [row["id"] for row in rows])
        return [department_dict(row, members[row["id"]]) for row in rows]

    async def get(self, department_id: int) -> dict:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(departments).where(departments.c.id == department_id))).mappings().first()
            if row is None:
                raise NotFound(f"department {department_id} not found", {"department_id": department_id})
            members = await self._members(conn, [department_id])
        return department_dict(row, members[department_id])

    async def create(self, name: str) -> dict:
        async with self.engine.begin() as conn:
            department_id = (await conn.execute(
                insert(departments).values(name=name)
                .on_conflict_do_nothing(index_elements=[departments.c.name]).returning(departments.c.id))).scalar()
        if department_id is None:
            raise Conflict("a department with this name exists", {"name": ["already exists"]})
        return await self.get(department_id)

    async def change(self, department_id: int, expected_version: int | None, **values) -> dict:
        """Change a department where it still has the version its editor read (None: no check);
        the version goes up only when something really changed."""
        async with self.engine.begin() as conn:
            row = (await conn.execute(sa.select(departments).where(departments.c.id == department_id)
                                      .with_for_update())).mappings().first()
            if row is None:
                raise NotFound(f"department {department_id} not found", {"department_id": department_id})
            if expected_version is not None and expected_version != row["version"]:
                raise Conflict("the department changed since it was read",
                               {"version": [f"changed since you read it; it is now {row['version']}"]})
            changes = {key: value for key, value in values.items() if row[key] != value}
            if "name" in changes and (await conn.execute(sa.select(departments.c.id).where(
                    departments.c.name == changes["name"], departments.c.id != department_id))).first():
                raise Conflict("a department with this name exists", {"name": ["already exists"]})
            if changes:
                await conn.execute(sa.update(departments).where(departments.c.id == department_id)
                                   .values(**changes, version=departments.c.version + 1))
        return await self.get(department_id)

    async def archive(self, department_id: int, archived: bool) -> dict:
        """Archive or restore: the department keeps its name and members; the version goes up."""
        async with self.engine.begin() as conn:
            changed = (await conn.execute(
                sa.update(departments).where(departments.c.id == department_id,
                                             departments.c.archived_at.is_(None) if archived
                                             else departments.c.archived_at.isnot(None))
                .values(archived_at=sa.func.now() if archived else None, version=departments.c.version + 1)
                .returning(departments.c.id))).first()
        department = await self.get(department_id)
        if changed is None:
            raise Conflict(f"the department is {'already' if archived else 'not'} archived",
                           {"archived_at": [department["archived_at"] or "null"]})
        return department

    async def set_members(self, department_id: int, user_ids: list[int]) -> dict:
        await self.get(department_id)
        async with self.engine.begin() as conn:
            known = set((await conn.execute(sa.select(users.c.id).where(users.c.id.in_(user_ids)))).scalars())
            unknown = sorted(set(user_ids) - known)
            if unknown:
                raise InvalidInput("unknown users", {"user_ids": [f"no user {i}" for i in unknown]})
            await conn.execute(sa.delete(department_members).where(department_members.c.department_id == department_id))
            if user_ids:
                await conn.execute(sa.insert(department_members), [
                    {"department_id": department_id, "user_id": user_id} for user_id in sorted(set(user_ids))])
        return await self.get(department_id)

    async def check_departments(self, department_ids: list[int]) -> None:
        """Every id names a department (archived ones too), or a 400 naming the others."""
        async with self.engine.connect() as conn:
            known = set((await conn.execute(sa.select(departments.c.id)
                                            .where(departments.c.id.in_(department_ids)))).scalars())
        unknown = sorted(set(department_ids) - known)
        if unknown:
            raise InvalidInput("unknown departments", {"department_ids": [f"no department {i}" for i in unknown]})

    async def set_user_departments(self, user_id: int, department_ids: list[int]) -> None:
        """The user is in exactly these departments."""
        await self.check_departments(department_ids)
        async with self.engine.begin() as conn:
            await conn.execute(sa.delete(department_members).where(department_members.c.user_id == user_id))
            if department_ids:
                await conn.execute(sa.insert(department_members), [
                    {"department_id": department_id, "user_id": user_id} for department_id in sorted(set(department_ids))])

    async def department_ids_of(self, user_ids: list[int]) -> dict[int, list[int]]:
        """Each user's departments, archived ones included (membership is kept while archived)."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(department_members).where(department_members.c.user_id.in_(user_ids))
                                      .order_by(department_members.c.department_id))
        found: dict[int, list[int]] = {i: [] for i in user_ids}
        for row in rows:
            found[row.user_id].append(row.department_id)
        return found

    async def role_scope(self, role: str) -> dict:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(role_scopes).where(role_scopes.c.role == role))).mappings().first()
        return {"role": role, "read": row["read_scope"] if row else "none", "write": row["write_scope"] if row else "none"}

    async def set_role_scope(self, role: str, read: str, write: str) -> dict:
        async with self.engine.begin() as conn:
            await conn.execute(insert(role_scopes)
                               .values(role=role, read_scope=read, write_scope=write)
                               .on_conflict_do_update(index_elements=[role_scopes.c.role],
                                                      set_={"read_scope": read, "write_scope": write}))
        return await self.role_scope(role)
