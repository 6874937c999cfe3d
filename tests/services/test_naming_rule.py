"""Issue 15, item 6: one naming rule. Slack's real name, then Slack's display name, then the imported name,
whichever wrote last: a person is named the same way in a digest after an import and after users.info."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.services.digest_content import PersonRef
from bot.services.directory import DictDirectory, refresh_manager_profile
from bot.services.people import SlackProfile
from bot.services.people_import.reading import parse_csv
from frameworks import Library, load_library
from storage.models import Person, shown_name
from tests.conftest import Database
from tests.services.people_import.test_import_people import _import, _person

NOW = datetime(2025, 3, 3, 9, 0)
ORG = "slack_user_id,name,framework,level\nU0ADA,Ada From The File,flow,P2\nU0REN,Ren From The File,flow,P1\n"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def _digest_name(db: Database, slack_id: str) -> str:
    return PersonRef.of(_person(db, slack_id)).name


def _ladder_name(db: Database, slack_id: str) -> str | None:
    with db.uow() as uow:
        current = uow.placements.current_for_slack_user("T1", slack_id)
        assert current is not None
        return current.display_name


def test_the_rule_is_real_name_then_display_name_then_imported_name() -> None:
    assert shown_name("Ada Lovelace", "ada", "Ada File") == "Ada Lovelace"
    assert shown_name(None, "ada", "Ada File") == "ada"
    assert shown_name(" ", "", "Ada File") == "Ada File"
    assert shown_name(None, None, None) is None


def test_a_person_keeps_one_name_across_an_import_and_a_users_info_refresh(db: Database, library: Library) -> None:
    _import(db, parse_csv(ORG), library)
    # Slack has not described them yet: the file's name shows, in a digest and in `/ladder me` alike.
    assert _digest_name(db, "U0ADA") == _ladder_name(db, "U0ADA") == "Ada From The File"

    directory = DictDirectory(
        [
            SlackProfile("U0ADA", "Ada Lovelace", "Europe/London", None, display_name="ada"),
            SlackProfile("U0REN", None, "Europe/Paris", None, display_name="Ren"),
        ]
    )
    for slack_id in ("U0ADA", "U0REN"):
        refresh_manager_profile(directory, db.uow, "T1", slack_id, NOW)
    assert _digest_name(db, "U0ADA") == _ladder_name(db, "U0ADA") == "Ada Lovelace"
    assert _digest_name(db, "U0REN") == "Ren"  # no real name in Slack: its display name

    # The daily sync of the same file changes nothing and names nobody differently (it used to
    # write the file's name back, and the next users.info wrote Slack's again).
    report = _import(db, parse_csv(ORG), library)
    assert report.change_count == 0
    assert _digest_name(db, "U0ADA") == _ladder_name(db, "U0ADA") == "Ada Lovelace"

    # A new name in the file is recorded (and reported) but Slack's still wins.
    renamed = _import(db, parse_csv(ORG.replace("Ada From The File", "Ada Renamed")), library)
    assert renamed.changes == ["U0ADA (Ada Lovelace): name Ada From The File → Ada Renamed"]
    ada = _person(db, "U0ADA")
    assert (ada.display_name, ada.imported_name, ada.slack_real_name) == ("Ada Lovelace", "Ada Renamed", "Ada Lovelace")


def test_an_empty_profile_from_a_failed_lookup_erases_no_name(db: Database) -> None:
    with db.uow() as uow:
        workspace = uow.workspaces.get_or_create("T1")
        uow.people.add(workspace.id, "U0ADA", imported_name="Ada From The File")
    refresh_manager_profile(DictDirectory([SlackProfile("U0ADA", None, None, None)]), db.uow, "T1", "U0ADA", NOW)
    assert _person(db, "U0ADA").display_name == "Ada From The File"


def test_the_shown_name_follows_every_source_change_on_the_model() -> None:
    person = Person(slack_user_id="U1", imported_name="File")
    assert person.display_name == "File"
    person.slack_display_name = "disp"
    assert person.display_name == "disp"
    person.slack_real_name = "Real"
    assert person.display_name == "Real"
    person.slack_real_name = None
    assert person.display_name == "disp"
