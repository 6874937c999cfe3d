"""What every repository shares: a session, and dialect-aware INSERT ... ON CONFLICT DO NOTHING."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


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


def column_values(instance: object, table: Table, skip: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """The set column values of a transient ORM instance, for a Core insert.

    Building the instance first runs the model's validators (FieldTooLong); columns left unset are
    omitted so the Core insert applies their defaults.
    """
    values = {column.key: getattr(instance, column.key, None) for column in table.columns if column.key not in skip}
    return {key: value for key, value in values.items() if value is not None}
