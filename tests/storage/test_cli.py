"""`growthbot db upgrade` then `growthbot people ...` through click, on an empty SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import main
from tests.storage.conftest import EmptyDatabase

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(empty_db: EmptyDatabase, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": empty_db.url}, input=input)


def test_upgrade_then_import_the_examples(empty_db: EmptyDatabase) -> None:
    refused = _run(empty_db, "people", "import", str(EXAMPLES / "org.yaml"))
    assert refused.exit_code == 1 and "run `growthbot db upgrade`" in refused.output
    assert _run(empty_db, "db", "upgrade").exit_code == 0
    result = _run(empty_db, "people", "import", str(EXAMPLES / "org.yaml"))
    assert result.exit_code == 0, result.output
    assert "into workspace T0EXAMPLE: 15 changes" in result.output
    assert "added U0ADA0002 (Ada Okafor)" in result.output
    again = _run(empty_db, "people", "import", str(EXAMPLES / "org.yaml"))
    assert again.exit_code == 0 and again.output.strip().endswith("0 changes")
    csv_twin = _run(empty_db, "people", "import", str(EXAMPLES / "org.csv"))
    assert csv_twin.exit_code == 0 and csv_twin.output.strip().endswith("0 changes"), csv_twin.output


def test_dry_run_writes_nothing(empty_db: EmptyDatabase) -> None:
    _run(empty_db, "db", "upgrade")
    dry = _run(empty_db, "people", "import", "--dry-run", str(EXAMPLES / "org.csv"))
    assert dry.exit_code == 0 and "nothing written: 15 changes" in dry.output
    real = _run(empty_db, "people", "import", str(EXAMPLES / "org.csv"))
    assert "15 changes" in real.output


def test_a_bad_file_is_rejected_whole(empty_db: EmptyDatabase, tmp_path: Path) -> None:
    _run(empty_db, "db", "upgrade")
    bad = tmp_path / "org.csv"
    bad.write_text(
        "slack_user_id,email,framework,level\nU0GOOD,,flow,P1\n,someone@example.com,flow,P1\nU0BAD,,flow,P9\n"
    )
    result = _run(empty_db, "people", "import", "--team-id", "T1", str(bad))
    assert result.exit_code == 1
    assert "2 problems, nothing was imported" in result.output
    assert "org.csv:3: someone@example.com: SLACK_BOT_TOKEN is needed" in result.output
    assert "org.csv:4: framework flow has no level 'P9'" in result.output
    export = _run(empty_db, "people", "export", "--person", "U0GOOD")
    assert export.exit_code == 1 and "No person with the Slack user id U0GOOD" in export.output


def test_the_workspace_must_be_known(empty_db: EmptyDatabase, tmp_path: Path) -> None:
    _run(empty_db, "db", "upgrade")
    org = tmp_path / "org.csv"
    org.write_text("slack_user_id,framework,level\nU0ONE,flow,P2\n")
    unknown = _run(empty_db, "people", "import", str(org))
    assert unknown.exit_code == 1 and "--team-id" in unknown.output
    assert "into workspace T9: 3 changes" in _run(empty_db, "people", "import", "--team-id", "T9", str(org)).output
    # With one workspace in the database, that one is meant.
    org.write_text("slack_user_id,framework,level\nU0ONE,flow,P3\n")
    promoted = _run(empty_db, "people", "import", str(org))
    assert "into workspace T9: 1 change" in promoted.output and "promotion on flow: flow P2 → P3" in promoted.output


def test_export_and_delete(empty_db: EmptyDatabase, tmp_path: Path) -> None:
    _run(empty_db, "db", "upgrade")
    _run(empty_db, "people", "import", str(EXAMPLES / "org.yaml"))
    out = tmp_path / "ada.json"
    exported = _run(empty_db, "people", "export", "--person", "U0ADA0002", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    data = json.loads(out.read_text())
    assert data["person"]["display_name"] == "Ada Okafor" and data["placements"][0]["framework_id"] == "vio-execution"
    to_stdout = _run(empty_db, "people", "export", "--person", "ben@example.com")
    assert json.loads(to_stdout.output)["person"]["slack_user_id"] == "U0BEN0003"

    declined = _run(empty_db, "people", "delete", "--person", "ada@example.com", input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    deleted = _run(empty_db, "people", "delete", "--person", "ada@example.com", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert (
        "Deleted the data of U0ADA0002 (Ada Okafor): 0 evidence items, 0 tags, 0 prompts, 1 schedule, 1 placement"
        in deleted.output
    )
    after = json.loads(_run(empty_db, "people", "export", "--person", "U0ADA0002").output)
    assert after["person"]["email"] is None and after["placements"] == [] and after["schedule"] is None
    # Only the record of the deletion is left of their audit entries (the earlier export's went with
    # the rest of their access log); this export is recorded after it is read.
    assert [entry["action"] for entry in after["audit"]] == ["deleted_person_data"]


def test_emails_and_workspace_come_from_slack_when_a_token_is_set(empty_db: EmptyDatabase, tmp_path: Path) -> None:
    from bot.testing.fake_slack import FakeSlack

    org = tmp_path / "org.csv"
    org.write_text(
        "email,manager,framework,level\n"
        "lead@example.com,,flow,P4\n"
        "dev@example.com,lead@example.com,flow,P2\n"
        "gone@example.com,lead@example.com,flow,P1\n"
    )
    with FakeSlack(team_id="T0FAKE") as slack:
        slack.add_user("U0LEAD", "lead", real_name="Lee Lead", email="lead@example.com", tz="Europe/Berlin")
        slack.add_user("U0DEV", "dev", real_name="Dee Dev", email="Dev@Example.com", tz="America/Denver")
        slack.add_user("U0GONE", "gone", email="gone@example.com", deleted=True)
        env = {"DATABASE_URL": empty_db.url, **slack.env()}
        runner = CliRunner()
        assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
        rejected = runner.invoke(main, ["people", "import", str(org)], env=env)
        assert rejected.exit_code == 1 and "org.csv:4: no Slack user has the email gone@example.com" in rejected.output
        org.write_text(org.read_text().rsplit("gone@", 1)[0].rsplit("\n", 1)[0] + "\n")
        result = runner.invoke(main, ["people", "import", str(org)], env=env)
        assert result.exit_code == 0, result.output
        assert "into workspace T0FAKE: 7 changes" in result.output
        assert "U0DEV" in result.output and "manager U0LEAD" in result.output
        assert slack.count("users.lookupByEmail") == 0
        assert slack.count("users.list") == 2  # one sweep per run answers every address
    exported = _run(empty_db, "people", "export", "--person", "U0DEV")
    person = json.loads(exported.output)["person"]
    assert (person["email"], person["tz"], person["workspace_team_id"]) == (
        "dev@example.com",
        "America/Denver",
        "T0FAKE",
    )


def test_a_hostile_file_is_one_line_error_without_a_traceback(empty_db: EmptyDatabase, tmp_path: Path) -> None:
    _run(empty_db, "db", "upgrade")
    bad = tmp_path / "org.csv"
    bad.write_bytes(b"slack_user_id,name\nU0A,Ada\nU0B,Ren\xe9e\n")
    result = _run(empty_db, "people", "import", "--team-id", "T1", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}:3: not UTF-8 text" in result.output
    hr = tmp_path / "hr.csv"
    hr.write_text("slack_user_id,department,title,framework,level\nU0A,Eng,Dev,flow,P1\n")
    imported = _run(empty_db, "people", "import", "--team-id", "T1", str(hr))
    assert imported.exit_code == 0, imported.output
    assert imported.output.count("ignored unknown columns department, title") == 1
    assert "1 change" in imported.output or "changes" in imported.output
