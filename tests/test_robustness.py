"""Random, truncated and mutated documents through reading and parsing: nothing raises,
nothing takes more than a second of CPU time.  Bounded so the suite stays quick.

CPU time of the thread, not the wall clock: on a loaded 2-core CI machine a document of
0.05 s of work took 0.25 s on the wall clock (other processes had the cores), so a wall
bound measured the machine's load, not the readers' work."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS
from texgrad.reading.document import read_text
from texgrad.syntax.parse import parse_region

# Fragments that stress the readers: delimiters, environments, macros, code, escapes.
FRAGMENTS = [
    "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\\\[", "\\\\]", "{", "}", "\\{", "\\}", "(", ")", "[", "]",
    "|", "\\|", "\\left(", "\\right)", "\\left.", "\\right|", "\\big(", "&", "\\\\", "%", "\\%", "\\$",
    "\n", "\n\n", " ", "x", "A", "2", "^", "_", "'", "\\top", "^T", "\\frac", "\\sqrt[", "\\sum_{i=1}^n",
    "\\begin{align}", "\\end{align}", "\\begin{bmatrix}", "\\end{bmatrix}", "\\begin{aligned}",
    "\\end{aligned}", "\\begin{cases}", "\\begin{verbatim}", "\\end{verbatim}", "\\verb|", "\\text{",
    "\\newcommand{\\a}{\\a\\a}", "\\def\\b#1{#1#1}", "\\b{\\b{\\b{x}}}", "\\a", "\\newcommand{\\n}[1]{\\|#1\\|}",
    "\\n{", "\\input{", "`", "```", "```math\n", "~~~", "<div>", "    ", "\\mathbb{R}^{n \\times m}",
    "\\operatorname{", "\\langle", "\\rangle", "\\label{", "ü", "数", "\x00", "\ufeff", "\r\n",
]  # fmt: skip

documents = st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join)


def _read_and_parse_everything(text: str) -> None:
    for fmt in ("latex", "markdown"):
        start = time.thread_time()
        doc = read_text(text, fmt)  # type: ignore[arg-type]
        for region in doc.regions:
            for parsed in parse_region(region):
                assert parsed.tree is None or parsed.error is None
                if parsed.error is not None:
                    assert 0 <= parsed.error.start <= parsed.error.end <= len(text)
        assert time.thread_time() - start < 1.0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_random_fragments(text: str) -> None:
    _read_and_parse_everything(text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_random_unicode(text: str) -> None:
    _read_and_parse_everything(text)


def _corpus_texts() -> list[str]:
    if not CORPUS.is_dir():
        # without the corpus, mutate a document of our own
        return [
            (Path(__file__).resolve().parents[1] / "examples" / "least-squares.tex").read_text(
                encoding="utf-8"
            )
        ]
    return [
        p.read_text(encoding="utf-8")
        for p in sorted(CORPUS.rglob("*"))
        if p.suffix in (".tex", ".md")
    ]


TEXTS = _corpus_texts()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, len(TEXTS) - 1),
    st.integers(0, 10**9),
    st.integers(200, 6000),
    st.lists(
        st.tuples(st.integers(0, 10**9), st.integers(0, 3), st.sampled_from(FRAGMENTS)), max_size=12
    ),
)
def test_truncated_and_mutated_documents(
    which: int, at: int, length: int, edits: list[tuple[int, int, str]]
) -> None:
    text = TEXTS[which]
    start = at % max(1, len(text))
    piece = text[start : start + length]
    for pos, delete, insert in edits:
        p = pos % (len(piece) + 1)
        piece = piece[:p] + insert + piece[p + delete :]
    _read_and_parse_everything(piece)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.sampled_from(
            [
                *FRAGMENTS,
                "A \\in \\mathbb{R}^{m \\times n}",
                "x \\in \\mathbb{R}^n",
                " = ",
                "A x",
                "x^\\top A",
                "\\operatorname{tr}(A)",
                "A^{-1}",
                "Let $W$ be an $m \\times n$ matrix. ",
                "% texgrad: A n×m\n",
                "f : \\mathbb{R}^n \\to \\mathbb{R}",
                "f(x)",
                "\\odot",
                "\\otimes",
                "\\nabla_x f",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_checking_never_raises(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    from texgrad.shapes.check import Checker

    folder = tmp_path_factory.mktemp("doc")
    for name in ("doc.tex", "doc.md"):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        start = time.thread_time()
        result = Checker().check(str(path), None, folder)
        assert time.thread_time() - start < 2.0  # (CPU time: see the module's note)
        for d in result.diagnostics:
            assert 0 <= d.start <= d.end <= len(text)
