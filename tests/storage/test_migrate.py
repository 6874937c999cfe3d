from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Connection, MetaData, inspect, text

from bot.cli import main
from bot.oauth import installation_metadata
from storage.migrate import (
    SchemaOutdated,
    current_revision,
    downgrade,
    ensure_schema_current,
    head_revision,
    schema_problem,
    upgrade_to_head,
)
from storage.models import Base
from tests.storage.conftest import EmptyDatabase


def _expected_metadata() -> MetaData:
    """The models' tables and the OAuth stores' tables as the installed slack_sdk defines them (the
    migrations snapshot those: a slack_sdk upgrade that changes them shows here)."""
    expected = MetaData()
    for source in (Base.metadata, installation_metadata()):
        for table in source.tables.values():
            table.to_metadata(expected)
    return expected


def _add_people(connection: Connection, people: list[tuple[int, bool]]) -> None:
    """Workspace 1 and these (id, active) people in it, U<id>, as raw rows at any revision."""
    connection.execute(text("INSERT INTO workspaces (id, team_id, created_at) VALUES (1, 'T1', '2024-01-01')"))
    for person_id, active in people:
        connection.execute(
            text("INSERT INTO people (id, workspace_id, slack_user_id, tz, active, created_at, updated_at) "
                 "VALUES (:id, 1, :slack, 'UTC', :active, '2024-01-01', '2024-01-01')"),
            {"id": person_id, "slack": f"U{person_id}", "active": active},
        )  # fmt: skip


def _schema_diff(empty_db: EmptyDatabase) -> list[object]:
    with empty_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, _expected_metadata())


def test_upgrade_gives_exactly_the_models_schema(empty_db: EmptyDatabase) -> None:
    assert current_revision(empty_db.engine) is None
    before, after = upgrade_to_head(empty_db.engine)
    assert (before, after) == (None, head_revision())
    assert current_revision(empty_db.engine) == head_revision()
    assert _schema_diff(empty_db) == []
    tables = set(inspect(empty_db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_partial_unique_indexes_exist_after_upgrade(empty_db: EmptyDatabase) -> None:
    upgrade_to_head(empty_db.engine)
    indexes = {index["name"]: index for index in inspect(empty_db.engine).get_indexes("manager_links")}
    assert indexes["uq_manager_links_one_active"]["unique"]
    indexes = {index["name"]: index for index in inspect(empty_db.engine).get_indexes("placements")}
    assert indexes["uq_placements_one_open"]["unique"]
    indexes = {index["name"]: index for index in inspect(empty_db.engine).get_indexes("checkins")}
    assert indexes["uq_checkins_one_open"]["unique"]


def test_upgrade_twice_is_a_no_op(empty_db: EmptyDatabase) -> None:
    upgrade_to_head(empty_db.engine)
    assert upgrade_to_head(empty_db.engine) == (head_revision(), head_revision())


def test_downgrade_to_base_removes_every_table(empty_db: EmptyDatabase) -> None:
    upgrade_to_head(empty_db.engine)
    downgrade(empty_db.engine, "base")
    assert current_revision(empty_db.engine) is None
    assert set(inspect(empty_db.engine).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(empty_db.engine)  # and back up again
    assert _schema_diff(empty_db) == []


def test_refuses_an_empty_database_with_the_command_to_run(empty_db: EmptyDatabase) -> None:
    with pytest.raises(SchemaOutdated) as raised:
        ensure_schema_current(empty_db.engine, auto_upgrade=False)
    message = str(raised.value)
    assert "is empty" in message and head_revision() in message and "`growthbot db upgrade`" in message


def test_unknown_revision_is_refused_even_with_auto_upgrade(empty_db: EmptyDatabase) -> None:
    upgrade_to_head(empty_db.engine)
    with empty_db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000_older'"))
    # A revision this code does not know is reported as such; a known older one gets the upgrade hint.
    assert "does not know" in (schema_problem(empty_db.engine) or "")
    with pytest.raises(SchemaOutdated):
        ensure_schema_current(empty_db.engine, auto_upgrade=True)


def test_older_known_revision_names_both_revisions(empty_db: EmptyDatabase) -> None:
    upgrade_to_head(empty_db.engine)
    assert schema_problem(empty_db.engine, needed="0002_future") == (
        f"The database schema is at revision {head_revision()} but this growthbot needs 0002_future: "
        "run `growthbot db upgrade`"
    )


def test_auto_upgrade_upgrades_an_empty_database(empty_db: EmptyDatabase) -> None:
    ensure_schema_current(empty_db.engine, auto_upgrade=True)
    assert current_revision(empty_db.engine) == head_revision()
    ensure_schema_current(empty_db.engine, auto_upgrade=False)  # now current: no error


def test_tables_without_revision_are_reported(empty_db: EmptyDatabase) -> None:
    Base.metadata.create_all(empty_db.engine)
    problem = schema_problem(empty_db.engine)
    assert problem is not None and "no growthbot schema revision" in problem


def test_cli_db_upgrade_and_current(empty_db: EmptyDatabase) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": empty_db.url}
    result = runner.invoke(main, ["db", "current"], env=env)
    assert result.exit_code == 1, result.output
    assert "database: empty" in result.output
    result = runner.invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert f"upgraded from empty to {head_revision()}" in result.output
    result = runner.invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0 and "nothing to do" in result.output
    result = runner.invoke(main, ["db", "current"], env=env)
    assert result.exit_code == 0 and "up to date" in result.output
    assert current_revision(empty_db.engine) == head_revision()


def test_0005_and_0006_backfill_confirmations_and_clear_inactive_peoples_next_prompt(empty_db: EmptyDatabase) -> None:
    from storage.migrate import _run

    _run(empty_db.engine, "upgrade", "0004_reminder_due_index")
    with empty_db.engine.begin() as connection:
        _add_people(connection, [(1, True), (2, False)])
        for person_id in (1, 2):
            connection.execute(
                text("INSERT INTO prompt_schedules (person_id, weekday, local_time, cadence, paused, next_due_at, "
                     "updated_at) VALUES (:id, 0, '09:00:00', 'weekly', false, '2024-01-08 09:00:00', '2024-01-01')"),
                {"id": person_id},
            )  # fmt: skip
        connection.execute(
            text("INSERT INTO evidence (person_id, text, source, to_discuss, created_at) "
                 "VALUES (1, 'old', 'modal', false, '2024-01-02 10:00:00')")
        )  # fmt: skip
    upgrade_to_head(empty_db.engine)
    with empty_db.engine.connect() as connection:
        due = dict(connection.execute(text("SELECT person_id, next_due_at FROM prompt_schedules")).all())
        confirmed = connection.execute(text("SELECT confirmed_at FROM evidence")).scalar_one()
    assert due[1] is not None and due[2] is None
    assert confirmed is not None, "evidence from before 0005 counts as confirmed"


def test_0011_copies_each_tags_person_from_its_evidence(empty_db: EmptyDatabase) -> None:
    from storage.migrate import _run

    _run(empty_db.engine, "upgrade", "0010_checkin_unsent_index")
    with empty_db.engine.begin() as connection:
        _add_people(connection, [(1, True), (2, True)])
        for person_id in (1, 2):
            connection.execute(
                text("INSERT INTO evidence (id, person_id, text, source, to_discuss, created_at) "
                     "VALUES (:id, :id, 'done', 'modal', false, '2024-01-02 10:00:00')"),
                {"id": person_id},
            )  # fmt: skip
            connection.execute(
                text("INSERT INTO evidence_tags (evidence_id, framework_id, framework_version, behaviour_id, "
                     "area_id, level_id, behaviour_text, created_at) "
                     "VALUES (:id, 'ladder', 1, 'b-1', 'a', 'I', 'B', '2024-01-02 10:00:00')"),
                {"id": person_id},
            )  # fmt: skip
    upgrade_to_head(empty_db.engine)
    with empty_db.engine.connect() as connection:
        owners = connection.execute(text("SELECT evidence_id, person_id FROM evidence_tags ORDER BY evidence_id"))
        assert owners.all() == [(1, 1), (2, 2)]


def test_0016_copies_each_not_deleted_items_time_onto_its_tags(empty_db: EmptyDatabase) -> None:
    from storage.migrate import _run

    _run(empty_db.engine, "upgrade", "0015_slack_installations")
    with empty_db.engine.begin() as connection:
        _add_people(connection, [(1, True)])
        for evidence_id, deleted_at in ((1, None), (2, "2024-01-05 10:00:00")):
            connection.execute(
                text("INSERT INTO evidence (id, person_id, text, source, to_discuss, created_at, deleted_at) "
                     "VALUES (:id, 1, 'done', 'modal', false, '2024-01-02 10:00:00', :deleted_at)"),
                {"id": evidence_id, "deleted_at": deleted_at},
            )  # fmt: skip
            connection.execute(
                text("INSERT INTO evidence_tags (evidence_id, person_id, framework_id, framework_version, "
                     "behaviour_id, area_id, level_id, behaviour_text, created_at) "
                     "VALUES (:id, 1, 'ladder', 1, 'b-1', 'a', 'I', 'B', '2024-01-03 10:00:00')"),
                {"id": evidence_id},
            )  # fmt: skip
    upgrade_to_head(empty_db.engine)
    with empty_db.engine.connect() as connection:
        copied = connection.execute(text("SELECT evidence_id, item_at FROM evidence_tags ORDER BY evidence_id"))
        assert [(evidence_id, str(at) if at else None) for evidence_id, at in copied] == [
            (1, "2024-01-02 10:00:00"),
            (2, None),
        ]
    downgrade(empty_db.engine, "0015_slack_installations")
    upgrade_to_head(empty_db.engine)


def test_downgrading_this_rounds_revisions_keeps_every_person_and_their_evidence(empty_db: EmptyDatabase) -> None:
    """0012-0017 add columns to `people`, `workspaces` and `prompts` in place: a batch rebuild of one on SQLite
    would cascade-delete the rows that reference it (people.workspace_id, evidence.person_id: ON DELETE
    CASCADE; evidence.prompt_id: SET NULL)."""
    upgrade_to_head(empty_db.engine)
    with empty_db.engine.begin() as connection:
        _add_people(connection, [(1, True)])
        connection.execute(
            text("INSERT INTO prompts (id, person_id, idempotency_key, framework_id, behaviour_ids, due_at, state, "
                 "attempts, created_at, close_pending_at) VALUES (1, 1, 'k', 'f', '[]', '2024-01-01', 'SENT', 1, "
                 "'2024-01-01', '2024-01-02')")
        )  # fmt: skip
        connection.execute(
            text("INSERT INTO evidence (person_id, prompt_id, text, source, to_discuss, created_at) "
                 "VALUES (1, 1, 'kept', 'modal', false, '2024-01-02 10:00:00')")
        )  # fmt: skip
    downgrade(empty_db.engine, "0011_per_person_paths")
    upgrade_to_head(empty_db.engine)
    with empty_db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM people")).scalar_one() == 1
        assert connection.execute(text("SELECT text, prompt_id FROM evidence")).one() == ("kept", 1)
        assert connection.execute(text("SELECT close_pending_at FROM prompts")).scalar_one() is None
