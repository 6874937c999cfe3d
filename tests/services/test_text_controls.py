"""Issue 15: NUL and other control characters follow one rule (bot.services.text.without_controls) on
both databases: PostgreSQL refuses NUL in text, SQLite stored it, so both now store the text without."""

from __future__ import annotations

from datetime import datetime, time

from bot.services.actor import Actor
from bot.services.data_rights import find_person
from bot.services.evidence import capture, ladder_of_user, modal_key
from bot.services.lookup import search_behaviours
from bot.services.people_import import import_people
from bot.services.people_import.planning import ImportDefaults
from bot.services.people_import.reading import parse_csv, parse_yaml
from frameworks import load_library
from storage.models import EvidenceSource
from storage.text import without_controls
from tests.conftest import Database
from tests.delivery.world import TEAM, make_world

NOW = datetime(2024, 1, 10, 12, 0)
DEFAULTS = ImportDefaults(weekday=0, local_time=time(10, 0), timezone="UTC")


def test_the_rule_strips_nul_and_controls_and_keeps_tabs_newlines_and_emoji() -> None:
    assert without_controls("shipped\x00 the\x07 thing\x1b[31m") == "shipped the thing[31m"
    assert without_controls("line one\r\n\tline two 🚀 é") == "line one\r\n\tline two 🚀 é"
    assert without_controls("a\x7f\x85b\ud800c") == "abc"  # DEL, a C1 control, a lone surrogate


def test_evidence_with_nul_is_stored_without_it_on_both_databases(db: Database) -> None:
    with make_world(db) as world:
        world.person("U1")
        with world.deps.uow() as uow:
            ladder = ladder_of_user(uow, world.deps.library, Actor(TEAM, "U1"))
            captured = capture(uow, ladder, text="fixed\x00 the build\x01", source=EvidenceSource.MODAL,
                               source_key=modal_key("nul"), now=NOW, link="https://x.test/\x00a")  # fmt: skip
        with world.deps.uow() as uow:
            stored = uow.evidence.get(captured.evidence_id)
            assert (stored.text, stored.link) == ("fixed the build", "https://x.test/a")


def test_people_import_with_nul_and_controls_in_cells_imports_clean_on_both_databases(db: Database) -> None:
    org = parse_csv("slack_user_id,name,email,framework,level\nU0NUL\x00,Ada\x00 Lovelace\x07,ada@x.test\x00,flow,P1\n")
    with db.uow() as uow:
        report = import_people(
            uow, org, team_id="T1", library=load_library(), directory=None, defaults=DEFAULTS, now=NOW
        )
    assert report.added == 1
    with db.uow() as uow:
        person = uow.people.get_by_slack_id(uow.workspaces.get_by_team("T1").id, "U0NUL")
        assert person is not None and (person.display_name, person.email) == ("Ada Lovelace", "ada@x.test")


def test_yaml_cells_follow_the_same_rule() -> None:
    org = parse_yaml('people:\n  - slack_user_id: U0Y\n    name: "Bo\\x07b"\n')
    assert org.rows[0].values["name"] == "Bob"


def test_a_verdict_comment_with_nul_is_stored_without_it_on_both_databases(db: Database) -> None:
    from bot.services import assessments
    from storage.models import Assessment, Person, Rater, Verdict
    from tests.services.digest_data import LADDER_ID, load_ladder
    from tests.services.digest_data import make_world as make_digest_world

    framework = load_ladder()[LADDER_ID]
    with db.uow() as uow:
        world = make_digest_world(uow)
        report, manager = uow.session.get(Person, world.report_id), uow.session.get(Person, world.manager_id)
        assessments.record(uow, person=report, rater=manager, role=Rater.MANAGER, framework=framework,
                           behaviour=framework.behaviour("delivery-2-01"), verdict=Verdict.SOMETIMES, now=NOW,
                           comment="good\x00 progress\x1b")  # fmt: skip
    with db.uow() as uow:
        [stored] = uow.session.query(Assessment).all()
        assert stored.comment == "good progress"


def test_lookups_by_typed_text_follow_the_rule_on_both_databases(db: Database) -> None:
    """A NUL pasted into a CLI lookup or a search reached the query as is: PostgreSQL refused the
    parameter (a database error, not an answer) and SQLite looked for text nothing is stored as."""
    with db.uow() as uow:
        workspace = uow.workspaces.get_or_create("T1")
        ada = uow.people.add(workspace.id, "U0ADA", imported_name="Ada", email="ada@example.com")
        ada_id = ada.id
    with db.uow() as uow:
        assert find_person(uow, "ada@example.com\x00").id == ada_id
        assert find_person(uow, "U0A\x00DA").id == ada_id
    library = load_library()
    query, hits = search_behaviours(library, "code\x00 review\x07")
    assert query == "code review" and hits == search_behaviours(library, "code review")[1]
    with make_world(db) as world:
        world.person("U1")
        with world.deps.uow() as uow:
            ladder = ladder_of_user(uow, world.deps.library, Actor(TEAM, "U1"))
        assert ladder.search(library, "incident\x00") == ladder.search(library, "incident")
