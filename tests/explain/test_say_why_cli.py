r"""The reasons the editor gives on the documents of ``tests/lsp/say_why/``
(tests/lsp/test_say_why_documents.py), from ``texgrad check --explain`` and ``texgrad diff
--file``: the same words."""

from __future__ import annotations

import io
import re
import sys

import pytest

from tests.lsp.test_say_why_documents import COMPLEX, HERE, REFUSED
from texgrad import cli


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(list(argv))
    finally:
        sys.stdout, sys.stderr = real
    return code, out.getvalue(), err.getvalue()


def _line_of(name: str, needle: str) -> int:
    text = (HERE / name).read_text(encoding="utf-8")
    return text.count("\n", 0, text.index(needle)) + 1


# (the row refused for the shape of `X` is said by the line of `X`: one mistake, one message)
@pytest.mark.parametrize(
    ("name", "needle", "head", "reason"), [c for c in REFUSED if c[0] != "no_declarations.md"]
)
def test_the_command_line_gives_the_same_reason(
    name: str, needle: str, head: str, reason: str
) -> None:
    line = _line_of(name, needle)
    code, out, _ = _cli("check", "--explain", "--jobs", "1", str(HERE / name))
    said = f"{name}:{line}:"
    refused = f"cannot differentiate `{head}`: {reason} [cannot-differentiate]"
    # (a letter of unknown shape on the row itself: its unknown-shape note may say it instead,
    # with the same suggestion — coefficient.md's `s`)
    unknown = re.match(r"the shape of (`[^`]+`) is unknown", reason)
    noted = f"{unknown[1]} has no shape" if unknown else None
    assert any(
        said in x
        and (refused in x or (noted is not None and noted in x and "[unknown-shape]" in x))
        for x in out.splitlines()
    ), out


@pytest.mark.parametrize(
    ("name", "needle", "wrt", "reason"),
    [
        ("complex.tex", "f(z)", "z", "`z` " + COMPLEX),
        ("integral.md", "E(\\theta)", "\\theta", r"`\int` (an integral) is not supported"),
        ("leading_block.tex", "h(X)", "X", r"`X_{1:k}` (a block of rows or columns) is not supported"),
    ],
)  # fmt: skip
def test_diff_of_the_row_gives_the_reason(name: str, needle: str, wrt: str, reason: str) -> None:
    line = _line_of(name, needle)
    code, out, err = _cli("diff", "--file", str(HERE / name), "--line", str(line), "--wrt", wrt)
    assert code == 1 and out == ""
    assert err.strip() == f"texgrad diff: {reason}"
