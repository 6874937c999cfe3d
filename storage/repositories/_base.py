"""What every repository shares: a session, and dialect-aware INSERT ... ON CONFLICT DO NOTHING."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, Insert, Select, Table, Update, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Base, Person, Workspace

# The session's `info` key naming the one workspace a unit of work is scoped to (storage.uow).
WORKSPACE_SCOPE = "growthbot.workspace_id"


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    @property
    def scoped_workspace_id(self) -> int | None:
        """The workspace this unit of work is scoped to (the tick of one installation), or None: all."""
        return self.session.info.get(WORKSPACE_SCOPE)

    def in_scope(self, person_id: ColumnElement[int]) -> tuple[ColumnElement[bool], ...]:
        """`.where(*self.in_scope(Model.person_id))`: nothing when unscoped, else only rows whose person
        belongs to the scoped workspace."""
        workspace_id = self.scoped_workspace_id
        if workspace_id is None:
            return ()
        return (person_id.in_(select(Person.id).where(Person.workspace_id == workspace_id)),)

    def tenant_in_scope(self, tenant_id: ColumnElement[str | None]) -> tuple[ColumnElement[bool], ...]:
        """The same for rows that name their workspace by its Slack (team or enterprise) id."""
        workspace_id = self.scoped_workspace_id
        if workspace_id is None:
            return ()
        return (tenant_id.in_(select(Workspace.team_id).where(Workspace.id == workspace_id)),)

    def take_disjoint(self, candidates: Select[tuple[int]], change: Update, id_column: Column[int]) -> list[int]:
        """Apply `change` to the rows `candidates` selects (their `id_column`), so that concurrent
        instances take disjoint rows; the ids taken. PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, then
        the UPDATE. SQLite: one UPDATE ... WHERE id IN (SELECT ...) RETURNING (a read upgraded to a write
        can fail at once under WAL), atomic under its single writer."""
        if self.dialect == "postgresql":
            ids = list(self.session.scalars(candidates.with_for_update(skip_locked=True)))
            if ids:
                self.session.execute(change.where(id_column.in_(ids)), execution_options={"synchronize_session": False})
            return ids
        return list(
            self.session.scalars(
                change.where(id_column.in_(candidates.scalar_subquery())).returning(id_column),
                execution_options={"synchronize_session": False},
            )
        )

    def insert_ignoring_conflict(
        self, table: Table, values: dict[str, Any], conflict_columns: list[str] | None
    ) -> Insert:
        """INSERT ... ON CONFLICT (columns) DO NOTHING RETURNING id, on SQLite and PostgreSQL alike;
        `conflict_columns=None`: on a conflict with any unique index (partial ones included).

        The statement returns the new row's id, or no row when the unique key already existed (or,
        on PostgreSQL, when a concurrent transaction inserted it first and committed).
        """
        module = postgresql if self.dialect == "postgresql" else sqlite
        statement = module.insert(table).values(**values)
        return statement.on_conflict_do_nothing(index_elements=conflict_columns).returning(table.c.id)

    def insert_many(self, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """INSERT rows in one statement whatever their number, each passed through the model's validators
        first, as setting them on an instance would; returns the rows as written (defaults filled in).

        PostgreSQL: COPY, about three times faster than psycopg's pipelined executemany for 100,000 rows.
        SQLite: an executemany, which sqlite3 runs in one call."""
        checked = bulk_rows(model, rows)
        if not checked:
            return checked
        if self.dialect == "postgresql":
            self._copy(model.__table__, checked)  # type: ignore[arg-type]
        else:
            self.session.execute(insert(model.__table__), checked)
        return checked

    def _copy(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """COPY ... FROM STDIN on the session's connection (inside its transaction), every value through
        its column type's bind processor as in an INSERT (enums, JSON)."""
        connection = self.session.connection()
        dialect = connection.dialect
        names = list(rows[0])
        processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
        statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None
        with dbapi_connection.cursor() as cursor:
            # Statement hooks (the benchmarks' and tests' counters) see the COPY like any statement.
            connection.dispatch.before_cursor_execute(connection, cursor, statement, (), None, True)
            with cursor.copy(statement) as copy:  # type: ignore[attr-defined]  # psycopg 3
                for row in rows:
                    values = [row[name] for name in names]
                    copy.write_row(
                        [
                            value if value is None or process is None else process(value)
                            for value, process in zip(values, processors, strict=True)
                        ]
                    )


def column_values(instance: object, table: Table, skip: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """The set column values of a transient ORM instance, for a Core insert.

    Building the instance first runs the model's validators (FieldTooLong); columns left unset are
    omitted so the Core insert applies their defaults.
    """
    values = {column.key: getattr(instance, column.key, None) for column in table.columns if column.key not in skip}
    return {key: value for key, value in values.items() if value is not None}


def bulk_rows(model: type[Base], rows: Sequence[Mapping[str, Any]], skip: tuple[str, ...] = ("id",)) -> list[dict]:
    """Rows for a bulk INSERT: each value through the model's `@validates` method (the same rules as an
    instance's attribute set: control characters, lengths, derived columns such as Person.display_name,
    without building 100,000 instrumented instances), every row naming every column so one INSERT ...
    VALUES batch fits them all, a column left unset given its default as a single-row insert would."""
    table = model.__table__
    columns = [column for column in table.columns if column.key not in skip]  # type: ignore[attr-defined]
    defaults = {column.key: _default(column) for column in columns}
    validators = {key: method for key, (method, _) in model.__mapper__.validators.items()}
    checked: list[dict[str, Any]] = []
    for values in rows:
        row = _Row(defaults)
        for key, value in values.items():
            validator = validators.get(key)
            if validator is not None:
                value = validator(row, key, value)
            row[key] = defaults[key] if value is None else value
        checked.append(row)
    return checked


class _Row(dict[str, Any]):
    """A row the model's validators can treat as the instance (`self.x` reads and writes the row)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value


def _default(column: Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    if getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[attr-defined]  # utcnow: one moment for the whole batch
    return getattr(default, "arg", None) if getattr(default, "is_scalar", False) else None
