"""Text that holds no ladder gets an error that says what was expected."""

from __future__ import annotations

import pytest

from frameworks.markdown_import import MarkdownImportError, import_markdown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("\x00\x01\x02binary", "binary"),
        ("Hello world.\nThis is just prose, no ladder here.\n", "found no levels"),
        ("# Title\n\nSome text.\n", "found no levels"),
        ("Level 1\nLevel 2\n", "no behaviours"),
        ("| | |\n| --- | --- |\n| 1 | x |\n", "names no areas"),
    ],
)
def test_garbage_gives_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(MarkdownImportError, match=message):
        import_markdown(text)
