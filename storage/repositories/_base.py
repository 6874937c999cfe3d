"""What every repository shares: a session, and dialect-aware INSERT ... ON CONFLICT DO NOTHING."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Column, Insert, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Base

M = TypeVar("M", bound=Base)


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

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

    def insert_many(self, model: type[M], instances: Sequence[M]) -> None:
        """INSERT transient instances in batches (SQLAlchemy's insertmanyvalues: a statement per ~1,000
        rows, not per row). Built as instances first, so the model's validators ran as for one `add`."""
        if instances:
            self.session.execute(insert(model), bulk_rows(instances, model.__table__))

    def insert_many_returning(self, model: type[M], instances: Sequence[M]) -> list[M]:
        """`insert_many`, returning the persistent rows (ids set) in the order given."""
        if not instances:
            return []
        statement = insert(model).returning(model, sort_by_parameter_order=True)
        return list(self.session.scalars(statement, bulk_rows(instances, model.__table__)))


def column_values(instance: object, table: Table, skip: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """The set column values of a transient ORM instance, for a Core insert.

    Building the instance first runs the model's validators (FieldTooLong); columns left unset are
    omitted so the Core insert applies their defaults.
    """
    values = {column.key: getattr(instance, column.key, None) for column in table.columns if column.key not in skip}
    return {key: value for key, value in values.items() if value is not None}


def bulk_rows(instances: Sequence[object], table: Table, skip: tuple[str, ...] = ("id",)) -> list[dict[str, Any]]:
    """The column values of transient instances as rows that all name the same columns (one INSERT ...
    VALUES batch fits them all); a column left unset gets its default, as a single-row insert would."""
    columns = [column for column in table.columns if column.key not in skip]
    defaults = {column.key: _default(column) for column in columns}
    rows = []
    for instance in instances:
        row = {column.key: getattr(instance, column.key, None) for column in columns}
        rows.append({key: defaults[key] if value is None else value for key, value in row.items()})
    return rows


def _default(column: Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    if getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[attr-defined]  # utcnow: one moment for the whole batch
    return getattr(default, "arg", None) if getattr(default, "is_scalar", False) else None
