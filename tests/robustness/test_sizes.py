"""Size limits said alike by the command line and the editor."""

from __future__ import annotations

from pathlib import Path

from texgrad.workspace import Workspace


def test_the_editor_analyses_what_the_command_line_checks_up_to_2_mb(tmp_path: Path) -> None:
    """A 1 MB thesis was refused in the editor (over a million characters) though
    ``texgrad check`` checks files up to 2 MB: one limit now, said past it."""
    from texgrad.reading.files import MAX_DOCUMENT_BYTES
    from texgrad.workspace import MAX_ANALYSED_CHARS

    assert MAX_ANALYSED_CHARS == MAX_DOCUMENT_BYTES
    path = str(tmp_path / "huge.tex")
    text = "$x$ " * (MAX_ANALYSED_CHARS // 4 + 1)
    analysis = Workspace([str(tmp_path)]).analyse(path, text, {})
    assert analysis.result is None and analysis.note == (
        f"texgrad does not analyse documents longer than {MAX_ANALYSED_CHARS:,} characters "
        f"(this one has {len(text):,})."
    )
