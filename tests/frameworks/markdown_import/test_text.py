"""Text clean-up: mojibake repaired, emoji dropped from names."""

from __future__ import annotations

from frameworks.markdown_import import repair_mojibake
from frameworks.markdown_import.text import clean_name


def test_mojibake_is_repaired_and_emoji_dropped_from_names() -> None:
    assert repair_mojibake("Reviews work and ensures itâ€™s broken down") == "Reviews work and ensures it’s broken down"
    assert repair_mojibake("Café naïve – déjà vu") == "Café naïve – déjà vu"
    assert clean_name("Communication πŸ’¬") == "Communication"
    assert clean_name("Design & Architecture πŸ“") == "Design & Architecture"  # a byte is lost: still dropped
    assert clean_name("Leadership βš–οΈ") == "Leadership"
    assert clean_name("Hiring & Reputation 🌟") == "Hiring & Reputation"
    assert clean_name("**Delivery** `x`") == "Delivery x"
