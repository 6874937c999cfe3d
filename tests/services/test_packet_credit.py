"""The packet credits the ladder it is written against (its `source:`), in Markdown, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from bot.services.packet import assemble_packet
from bot.services.packet_render import render_csv, render_json, render_markdown
from frameworks import parse_framework
from storage.models import Person
from tests.frameworks.tiny_ladder import BASE

LADDER = parse_framework(
    BASE.replace("version: 1\n", "version: 3\nsource:\n  organisation: Acme\n  licence: CC BY 4.0\n"), "acme.yaml"
)


def test_the_packet_credits_its_ladder_and_names_its_version() -> None:
    person = Person(id=1, slack_user_id="U1", display_name="Ada", tz="UTC")
    packet = assemble_packet(
        person, LADDER, LADDER.id, {"delivery": "1", "quality": "1"}, None, [], datetime(2025, 3, 1)
    )
    markdown = render_markdown(packet)
    assert "ladder: Tiny ladder (version 3)" in markdown
    assert "Ladder credit: Acme (licence: CC BY 4.0)" in markdown
    assert json.loads(render_json(packet))["ladder_credit"] == "Acme (licence: CC BY 4.0)"


def test_the_packet_csv_carries_the_ladder_credit_and_version() -> None:
    person = Person(id=1, slack_user_id="U1", display_name="Ada", tz="UTC")
    packet = assemble_packet(
        person, LADDER, LADDER.id, {"delivery": "1", "quality": "1"}, "staff", [], datetime(2025, 3, 1)
    )
    rows = list(csv.DictReader(io.StringIO(render_csv(packet))))
    assert rows and {r["ladder_credit"] for r in rows} == {"Acme (licence: CC BY 4.0)"}
    assert {r["ladder_version"] for r in rows} == {str(packet.framework_version)}
