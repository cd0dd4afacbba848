r"""The grammar's LALR tables run by texgrad's own loop (syntax/lalr.py): the generated
module is the grammar's, and the loop reads every row of the corpus as Lark's parser does."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from texgrad.reading.document import read_document
from texgrad.reading.source import MappedText
from texgrad.syntax import lalr
from texgrad.syntax import parse as p
from texgrad.syntax.build import Builder
from texgrad.syntax.lexer import Lexer, LexError
from texgrad.syntax.show import show

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
COOKBOOK = CORPUS / "matrix-cookbook-md" / "main.md"


def test_the_shipped_tables_are_the_grammars() -> None:
    """grammar/math.tables.json is what `python -m texgrad.syntax.lalr` makes of
    grammar/math.lark now (if this fails, run it: the grammar changed)."""
    built = lalr.tables_from_grammar(lalr.grammar_text())
    assert lalr.shipped_tables() == built
    assert lalr._shipped_text() == lalr.tables_json(built)
    assert len(built.states) > 100 and len(built.rules) > 80


def test_missing_or_corrupt_tables_are_built_from_the_grammar(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    built = lalr.tables_from_grammar(lalr.grammar_text())
    good = lalr._shipped_text()
    for broken in (
        "",
        '{"grammar_sha256": "x"',
        '{"rules": 3}',
        "[]",
        good.replace('"start": 0,', '"start": 9999,'),  # parses, but names no state
        good.replace('"AMP": [19]', '"AMP": [99999]', 1),  # a rule not there
    ):
        monkeypatch.setattr(lalr, "_shipped_text", lambda broken=broken: broken)
        monkeypatch.setattr(lalr, "_tables", None)
        with caplog.at_level(logging.WARNING, logger="texgrad.syntax.lalr"):
            assert lalr.tables() == built
        assert "cannot read math.tables.json" in caplog.text
        caplog.clear()


def test_a_changed_grammar_is_compiled_not_read_stale(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    changed = lalr.grammar_text().replace("| BANG\n", "")  # `x!` no longer a script
    assert changed != lalr.grammar_text()
    monkeypatch.setattr(lalr, "grammar_text", lambda: changed)
    monkeypatch.setattr(lalr, "_tables", None)
    with caplog.at_level(logging.WARNING, logger="texgrad.syntax.lalr"):
        fresh = lalr.tables()
    shipped = lalr.shipped_tables()
    assert shipped is not None
    assert fresh.grammar_sha256 == lalr.grammar_sha256(changed) != shipped.grammar_sha256
    assert "regenerate" in caplog.text
    builder = Builder(p._parse_nested)
    text = MappedText.identity("n!")
    builder.reset(text, frozenset(), 0)
    with pytest.raises(lalr.ParseFailure) as failed:
        lalr.run(fresh, Lexer("n!").tokenize(), lalr.methods_of(fresh, builder))
    assert failed.value.token.type == "BANG"
    builder.reset(text, frozenset(), 0)
    node = lalr.run(shipped, Lexer("n!").tokenize(), lalr.methods_of(shipped, builder))
    assert show(builder.node(node)) == "(Factorial n)"


def _rows() -> list[MappedText]:
    doc = read_document(str(COOKBOOK), folder=COOKBOOK.parent)
    return [row.text for region in doc.regions for row in region.rows]


def _by_lark(lark: object, builder: Builder, text: MappedText) -> object:
    builder.reset(text, frozenset(), 0)
    lexer = Lexer(text.text)
    try:
        tokens = lexer.tokenize()
    except LexError:
        return "lex error"
    try:
        node = lark.parse(tokens)  # type: ignore[attr-defined]
    except Exception as e:  # noqa: BLE001 - Lark's error, compared below by kind and token
        token = getattr(e, "token", None)
        return ("error", getattr(token, "type", None), getattr(token, "start_pos", None))
    tree = builder.node(node) if node is not None else None
    return builder.finish(tree, lexer.trailing)


def _by_loop(builder: Builder, text: MappedText) -> object:
    tables = lalr.tables()
    builder.reset(text, frozenset(), 0)
    lexer = Lexer(text.text)
    try:
        tokens = lexer.tokenize()
    except LexError:
        return "lex error"
    try:
        node = lalr.run(tables, tokens, lalr.methods_of(tables, builder))
    except lalr.ParseFailure as e:
        token = e.token
        return ("error", "$END" if token is None else token.type, getattr(token, "start_pos", None))
    tree = builder.node(node) if node is not None else None
    return builder.finish(tree, lexer.trailing)


@pytest.mark.skipif(not COOKBOOK.is_file(), reason="no shared corpus beside the repository")
def test_the_loop_reads_every_row_as_larks_parser_does() -> None:
    builder = Builder(p._parse_nested)
    lark = lalr.build_lark(lalr.grammar_text(), transformer=builder)
    rows = [r for r in _rows() if r.text.strip()]
    assert len(rows) > 1000
    same = errors = 0
    for text in rows:
        theirs = _by_lark(lark, builder, text)
        ours = _by_loop(builder, text)
        if isinstance(ours, tuple) and ours[1] == "$END":
            ours = ("error", "$END", theirs[2] if isinstance(theirs, tuple) else None)
        assert ours == theirs, text.text
        same += 1
        errors += isinstance(ours, tuple)
    assert same == len(rows) and 0 < errors < 50
