r"""Never silent, never wrong — and in the document's words (issues 13, 14, 15: "say why").

Every message texgrad gives a user about a document — the diagnostics and ``--explain``'s notes
of ``texgrad check --format json``, and the reasons of the code actions listed disabled — quotes
what the document wrote: never a macro's expansion where the source has the macro (the
document writes ``\hat{\mW}_t``; a message once said ``\boldsymbol{\hat{W}}_{t}``), never a
syntax tree's names (``(Paren:…``, ``Tree(``), never a Python value (``None``, ``('x',``).

The sweeps run over every document of ``tests/documents/`` and of the shared corpus; the small
documents here pin each form.
"""

from __future__ import annotations

import io
import json
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from tests.calculus.test_messages import INTERNAL
from tests.documents.harness import DOCUMENTS, names, targets
from texgrad import cli
from texgrad.calculus.actions import disabled_offers
from texgrad.calculus.api import diff_at, plans_at
from texgrad.calculus.quotes import in_document_words
from texgrad.calculus.refusals import refusal_at
from texgrad.calculus.unchecked import explain
from texgrad.shapes.check import Checker

QUOTE = re.compile(r"(``?)(.+?)\1")
# where a quote goes on past the document's text: a suggested declaration or definition
TAILS = (" \\in ", " > 0", "(x) = …", "(\\mathbf x, \\mathbf z) = …")
PYTHON = re.compile(
    r"`(?:None|True|False)`|<[\w.]+ object at 0x|\b(?:Tree|Token|Symbol|Sub|Apply)\("
    r"|\('[^']*', |\[\]|frozenset\(|\bdict_\w+\("
)
DEFINITION = re.compile(
    r"\\(?:(?:re|provide)?newcommand\*?\s*\{?\s*\\(?P<a>[A-Za-z]+)\s*\}?(?:\[\d\])?(?:\[[^\]]*\])?"
    r"|DeclareMathOperator\*?\s*\{\s*\\(?P<b>[A-Za-z]+)\s*\}|def\s*\\(?P<c>[A-Za-z]+)(?:#\d)*)\s*\{"
)
COMMAND = re.compile(r"\\[A-Za-z]+")
# texgrad's own examples, the same in every message (not a quote of the document)
EXAMPLES = frozenset(("\\nabla_x f", "x \\odot x", "x^{\\circ 2}", "\\sum_{i=1}^n"))
SOURCES = (".tex", ".md", ".qmd", ".rmd", ".markdown", ".sty", ".cls")
NEAR = 3  # lines around a message's place: where its quotes come from


def _flat(text: str) -> str:
    return "".join(text.split())


def _body(text: str, start: int) -> str:
    """The braced group opening at ``start - 1`` (a definition's body)."""
    depth, i = 1, start
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[start : i - 1]


class Source:
    """A document's (or project's) text, flat, to find a quote in; and its macros: the
    commands each one's body writes."""

    def __init__(self, files: list[Path]) -> None:
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
        self.bodies: dict[str, frozenset[str]] = {}
        for text in texts:
            last = 0
            for m in DEFINITION.finditer(text):
                if m.start() < last:
                    continue
                body = _body(text, m.end())
                name = "\\" + (m["a"] or m["b"] or m["c"])
                self.bodies[name] = self.bodies.get(name, frozenset()) | set(COMMAND.findall(body))
                last = m.end() + len(body) + 1
        self.flat = _flat("\n".join(texts))

    def leaks(self, message: str, near: str) -> list[str]:
        """The quotes of ``message`` that are not the document's text but hold a command
        that a macro called ``near`` the message's place writes, and that is not written
        there itself: the macro's expansion quoted where the source has the call."""
        written = set(COMMAND.findall(near))
        expanded = {c for name in written & self.bodies.keys() for c in self.bodies[name]}
        out = []
        for m in QUOTE.finditer(message):
            quote = m[2]
            for tail in TAILS:
                quote = quote.split(tail, 1)[0]
            quote = quote.rstrip("…").strip()
            if not quote or quote in EXAMPLES or _flat(quote) in self.flat:
                continue
            head = re.split(r"[\[(]", quote, maxsplit=1)[0]  # \mathbb{E} of \mathbb{E}[\cdot]
            if head != quote and head and _flat(head) in self.flat:
                continue
            if set(COMMAND.findall(quote)) & (expanded - written):
                out.append(quote)
        return out


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SOURCES)


def _checked_json(folder: Path, paths: list[str]) -> list[dict[str, object]]:
    """``texgrad check --explain --format json PATHS`` run in ``folder``."""
    out = io.StringIO()
    here = Path.cwd()
    os.chdir(folder)
    try:
        with redirect_stdout(out), redirect_stderr(io.StringIO()):
            cli.main(["check", "--explain", "--format", "json", "--jobs", "1", *paths])
    finally:
        os.chdir(here)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


Said = tuple[str, str]  # a message, and the source around its place


def _records(folder: Path, paths: list[str]) -> list[Said]:
    """What ``texgrad check --explain --format json`` says (the related notes too), each
    with the lines around its place."""
    said: list[Said] = []
    lines: dict[str, list[str]] = {}
    for r in _checked_json(folder, paths):
        path = str(r["path"])
        if path not in lines:
            lines[path] = (folder / path).read_text(encoding="utf-8").splitlines()
        first, last = int(r["line"]) - 1 - NEAR, int(r["end_line"]) + NEAR  # type: ignore[call-overload]
        said.append((str(r["message"]), "\n".join(lines[path][max(0, first) : last])))
        said += [(str(rel["message"]), "") for rel in r["related"]]  # type: ignore[attr-defined]
    return said


def _disabled_reasons(path: Path, every_plan: bool) -> list[Said]:
    """The reasons of the code actions listed disabled on every row of ``path`` (a row that
    offers nothing; with ``every_plan``, each differentiation offered that fails too), each
    with its row's source."""
    result = Checker().check(str(path))
    text = result.doc.text
    said: list[Said] = []
    for row in result.rows:
        if row.path != result.path or row.tree is None:
            continue
        refusal = refusal_at(result, row.start)
        done = []
        if every_plan and refusal is None:
            for plan in plans_at(str(path), text, row.start, result=result):
                out = diff_at(str(path), text, row.start, plan.wrt, budget=0.5, result=result)
                done.append((plan, "result", out))
        near = text[row.start : row.end]
        said += [(d.reason, near) for d in disabled_offers(result, done, refusal)]
    return said


def _judged(said: list[Said], source: Source) -> list[str]:
    bad = []
    for message, near in said:
        if INTERNAL.search(message) or PYTHON.search(message):
            bad.append(message)
        elif source.leaks(message, near):
            bad.append(f"{source.leaks(message, near)} in: {message}")
    return bad


# -- the forms, on small documents --------------------------------------------------------

PAPER = r"""\documentclass{article}
\newcommand{\mW}{\boldsymbol{W}}
\newcommand{\vx}{\mathbf{x}}
\begin{document}
Let $\vx_t \in \mathbb{R}^d$.
\begin{equation}
e_t = \lVert \hat{\mW}_t - \mW_t \rVert_F / \lVert \mW_t \rVert_F
\end{equation}
\[ g(\vx_t) = \hat{\mW}_t \vx_t \]
\end{document}
"""


def _paper(tmp: Path) -> Path:
    path = tmp / "paper.tex"
    path.write_text(PAPER, encoding="utf-8")
    return path


def test_a_refusal_quotes_the_macro_call_not_its_expansion(tmp_path: Path) -> None:
    path = _paper(tmp_path)
    result = Checker().check(str(path))
    row = next(r for r in result.rows if "\\lVert" in result.doc.text[r.start : r.end])
    refusal = refusal_at(result, row.start)
    assert refusal is not None
    assert "`\\hat{\\mW}_t`" in refusal.reason, refusal.reason
    assert "\\boldsymbol" not in refusal.reason
    near = result.doc.text[row.start : row.end]
    assert Source([path]).leaks(refusal.reason, near) == []


def test_the_explanations_and_disabled_actions_quote_the_document(tmp_path: Path) -> None:
    path = _paper(tmp_path)
    result = Checker().check(str(path))
    said = [u.message for u in explain(result)]
    said += [reason for reason, _ in _disabled_reasons(path, every_plan=True)]
    assert any("\\hat{\\mW}_t" in s for s in said), said
    assert not any("\\boldsymbol" in s or "\\mathbf{x}" in s for s in said), said


def test_what_no_node_prints_is_left_as_said(tmp_path: Path) -> None:
    # a suggestion (`\lambda \in \mathbb{R}`), a fixed example: not the document's, kept
    path = _paper(tmp_path)
    result = Checker().check(str(path))
    said = "write `x \\odot x` for an elementwise power; declare `\\lambda \\in \\mathbb{R}`"
    assert in_document_words(said, result, 0, len(result.doc.text)) == said


def test_a_quote_spelled_otherwise_is_the_documents_spelling(tmp_path: Path) -> None:
    # the engine prints \tilde{x}_{i}; the document wrote \tilde x_i
    path = tmp_path / "notes.md"
    path.write_text("Then $$g = \\tilde x_i \\odot \\tilde x_i$$\n", encoding="utf-8")
    result = Checker().check(str(path))
    said = "the shape of `\\tilde{x}_{i}` is unknown — declare it, e.g. `\\tilde{x}_{i} \\in \\mathbb{R}`"
    row = result.rows[0]
    assert in_document_words(said, result, row.start, row.end) == (
        "the shape of `\\tilde x_i` is unknown — declare it, e.g. `\\tilde x_i \\in \\mathbb{R}`"
    )


def test_a_quote_another_row_holds_is_spelled_from_the_documents_index(tmp_path: Path) -> None:
    # the row the message is about does not hold the quote: the index of every row's printed
    # forms does, made (and flattened) once per checked document, not at every message
    from texgrad.calculus import quotes

    path = tmp_path / "notes.md"
    path.write_text("Then $$g = \\tilde x_{k-1} \\odot \\tilde x_i$$\n\nand $$h = y$$\n")
    result = Checker().check(str(path))
    row = next(r for r in result.rows if "h = y" in result.doc.text[r.start : r.end])
    for _ in range(2):  # (the second from the kept index)
        said = "the shape of `\\tilde{x}_{k-1}` and of `\\tilde{x}_{i}` is unknown"
        assert in_document_words(said, result, row.start, row.end) == (
            "the shape of `\\tilde x_{k-1}` and of `\\tilde x_i` is unknown"
        )
    index, flat = quotes._index(result)
    assert quotes._index(result)[1] is flat
    assert flat == {"".join(k.split()): v for k, v in index.items()}


def test_the_judge_knows_a_leak() -> None:
    source = Source.__new__(Source)
    source.flat = _flat(r"\newcommand{\mW}{\boldsymbol{W}} e = \hat{\mW}_t + \text{Comp}(x)")
    source.bodies = {"\\mW": frozenset({"\\boldsymbol"}), "\\R": frozenset({"\\mathbb"})}
    near = r"e = \hat{\mW}_t"
    assert source.leaks("the shape of `\\boldsymbol{\\hat{W}}_{t}` is unknown", near)
    assert not source.leaks("the shape of `\\hat{\\mW}_t` is unknown", near)
    # (no macro there writes it: a spelling of texgrad's, not an expansion)
    assert not source.leaks("the shape of `\\boldsymbol{\\hat{W}}_{t}` is unknown", "e = W_t")
    assert not source.leaks("`\\mathbb{E}[\\cdot]` is not supported", near)
    assert _judged([("cannot read the function `None` of entries", "")], source)
    assert _judged([("cannot differentiate `(Paren:( x))`", "")], source)
    assert not _judged([("`\\hat{\\mW}_t` has no shape", near)], source)


# -- the sweeps ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", names())
def test_the_documents_are_told_in_their_own_words(name: str) -> None:
    folder = DOCUMENTS / name
    source = Source(_files(folder))
    said = _records(folder, [p.relative_to(folder).as_posix() for p in targets(folder)])
    for path in targets(folder):
        said += _disabled_reasons(path, every_plan=False)
    assert _judged(said, source) == []


def test_the_corpus_is_told_in_its_own_words(corpus: Path) -> None:
    bad: list[str] = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        source = Source(_files(folder))
        bad += _judged(_records(folder, ["."]), source)
    assert bad == []


@pytest.mark.parametrize(
    ("row", "quoted"),
    [
        (
            r"S_\varepsilon(a, b) = \mathrm{OT}_\varepsilon(a, b) - \tfrac12 \mathrm{OT}_\varepsilon(a, a)",
            r"`\mathrm{OT}`",
        ),
        (r"c = \text{Comp}(\mathbf x) + 1", r"`\text{Comp}`"),
    ],
)
def test_a_function_is_named_as_the_document_writes_it(
    tmp_path: Path, row: str, quoted: str
) -> None:
    path = tmp_path / "notes.md"
    path.write_text(
        "Let $a, b, \\mathbf x \\in \\mathbb{R}^n$.\n\n$$" + row + "$$\n", encoding="utf-8"
    )
    result = Checker().check(str(path))
    reasons = [refusal_at(result, r.start) for r in result.rows]
    said = [r.reason for r in reasons if r is not None]
    assert any(quoted in s for s in said), said
    assert not any("\\operatorname" in s for s in said), said
