"""The check-in modal stays within Slack's limits however big an area is, and reads its answers back."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.blocks.checkin import home_checkin_blocks, page_title, parse_rating, rating_modal
from bot.ids import CheckinAction, CheckinBlock
from bot.services import checkins
from bot.services.assessments import VerdictView
from bot.services.checkin_requests import EvidenceOption, PendingCheckin, RatingForm
from bot.testing import block_rules
from frameworks import Area, Behaviour, Cell, Framework, Level
from storage.models import Rater, Verdict

NOW = datetime(2025, 3, 10, 12, 0)
BIG = 30


def _big_framework() -> Framework:
    behaviours = tuple(
        Behaviour(f"big-2-{n:02d}", f"Behaviour {n} " + "with a long description " * 40, "big", "2", "big-ladder")
        for n in range(BIG)
    )
    area = Area("big", "A very long area name that goes on", cells=(Cell("big", "2", behaviours=behaviours),))
    return Framework("big-ladder", "Big", 1, (Level("1", "One"), Level("2", "Two")), (area,))


def _form(page: checkins.Page, count: int) -> RatingForm:
    evidence = tuple(EvidenceOption(n, "Evidence <!channel> " * 20, NOW - timedelta(days=n)) for n in range(100))
    first = page.behaviours[0]
    previous = VerdictView(
        1, first.id, "big", "2", first.text, Rater.SELF, Verdict.SOMETIMES, None, (3, 5), NOW, None, 1
    )
    return RatingForm(
        checkin_id=7,
        page=page,
        page_count=count,
        rater=Rater.SELF,
        person_name="Riley",
        self_only=False,
        previous={first.id: previous},
        evidence={b.id: evidence for b in page.behaviours},
    )


def test_a_big_area_is_split_into_modals_slack_accepts() -> None:
    framework = _big_framework()
    pages = checkins.pages_of(framework, [b.id for b in framework.behaviours])
    assert [len(p.behaviours) for p in pages] == [12, 12, 6]
    for page in pages:
        view = rating_modal(_form(page, len(pages))).to_dict()
        assert block_rules.view_errors(view, allowed_types=("modal",)) == []
        assert len(view["blocks"]) <= 100 and len(view["title"]["text"]) <= 24
    last = rating_modal(_form(pages[-1], len(pages))).to_dict()
    assert last["submit"]["text"] == "Submit" and last["title"]["text"].endswith("· 3 of 3")


def test_the_modal_prefills_the_previous_verdict_and_cited_evidence_and_reads_answers_back() -> None:
    framework = _big_framework()
    page = checkins.pages_of(framework, [b.id for b in framework.behaviours])[0]
    view = rating_modal(_form(page, 3)).to_dict()
    first = page.behaviours[0].id
    verdict_block = next(b for b in view["blocks"] if b.get("block_id") == f"{CheckinBlock.VERDICT_PREFIX}{first}")
    assert verdict_block["element"]["initial_option"]["value"] == "sometimes"
    evidence_block = next(b for b in view["blocks"] if b.get("block_id") == f"{CheckinBlock.EVIDENCE_PREFIX}{first}")
    assert [o["value"] for o in evidence_block["element"]["initial_options"]] == ["3", "5"]

    view["state"] = {
        "values": {
            f"{CheckinBlock.VERDICT_PREFIX}{first}": {
                CheckinAction.VERDICT: {"type": "radio_buttons", "selected_option": {"value": "consistently"}}
            },
            f"{CheckinBlock.COMMENT_PREFIX}{first}": {CheckinAction.COMMENT: {"value": "nice"}},
            f"{CheckinBlock.EVIDENCE_PREFIX}{first}": {CheckinAction.EVIDENCE: {"selected_options": [{"value": "5"}]}},
        }
    }
    checkin_id, index, answers = parse_rating(view)
    assert (checkin_id, index) == (7, 0)
    assert answers[first].verdict == "consistently" and answers[first].comment == "nice"
    assert answers[first].evidence_ids == ("5",)
    assert parse_rating({"private_metadata": "not json"})[:2] == (None, None)
    assert json.loads(view["private_metadata"]) == {"checkin": 7, "page": 0}


def test_titles_fit_and_home_rows_resume() -> None:
    assert page_title("Quality & Testing and more", 12, 12) == "Quality & Te… · 12 of 12"
    assert page_title("Delivery", 2, 5) == "Delivery · 2 of 5"
    rows = [
        PendingCheckin(1, Rater.SELF, "Riley", 3, 5, False, NOW, False),
        PendingCheckin(2, Rater.MANAGER, "Sam <!here>", 0, 2, True, NOW, False),
    ]
    blocks = [b.to_dict() for b in home_checkin_blocks(rows)]
    text = json.dumps(blocks)
    assert "Continue check-in (3 of 5 areas done)" in text
    assert "Sam &lt;!here&gt;" in text and "<!here>" not in text
    assert home_checkin_blocks([]) == []
