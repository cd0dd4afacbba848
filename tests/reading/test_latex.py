r"""Reading math out of LaTeX: delimiters, environments, rows, comments and verbatim text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures import parse_fixture
from texgrad.reading.document import read_text
from texgrad.reading.latex import scan


def regions(src: str):
    return read_text(src).regions


def row_sources(src: str) -> list[str]:
    """The source text of every row of every region, in order."""
    return [src[row.start : row.end] for reg in regions(src) for row in reg.rows]


def check_rows(fixture: str) -> None:
    """The ^^^ marks of a fixture are exactly the rows found, in order."""
    fx = parse_fixture(fixture)
    src = fx.files["main.tex"]
    got = [(row.start, row.end) for reg in regions(src) for row in reg.rows]
    assert [src[a:b] for a, b in got] == [src[a:b] for a, b in fx.ranges["main.tex"]]
    assert got == fx.ranges["main.tex"]


# -- delimiters -------------------------------------------------------------------


def test_inline_dollar():
    check_rows(
        r"""
        Let $Ax = b$ hold.
             ^^^^^^
        """
    )
    (reg,) = regions("Let $Ax = b$ hold.")
    assert (reg.kind, reg.delimiter, reg.display) == ("inline", "$", False)
    assert (reg.start, reg.end, reg.body_start, reg.body_end) == (4, 12, 5, 11)
    assert reg.rows[0].text.text == "Ax = b"


@pytest.mark.parametrize(
    ("src", "kind", "delimiter", "display", "body"),
    [
        ("$$ x^2 $$", "display", "$$", True, " x^2 "),
        (r"\( x^2 \)", "inline", r"\(", False, " x^2 "),
        (r"\[ x^2 \]", "display", r"\[", True, " x^2 "),
        (r"\ensuremath{x^2}", "inline", r"\ensuremath", False, "x^2"),
    ],
)
def test_delimiters(src, kind, delimiter, display, body):
    text = "before " + src + " after"
    (reg,) = regions(text)
    assert (reg.kind, reg.delimiter, reg.display) == (kind, delimiter, display)
    assert text[reg.start : reg.end] == src
    assert text[reg.body_start : reg.body_end] == body
    (row,) = reg.rows
    assert text[row.start : row.end] == "x^2"
    assert row.text.text.strip() == "x^2"


def test_several_regions_in_order_with_exact_rows():
    check_rows(
        r"""
        $a$ and
         ^
        $$b + c$$ and
          ^^^^^
        \(d\) and
          ^
        \[e = f\]
          ^^^^^
        """
    )


def test_dollar_dollar_after_inline_closes_then_opens():
    src = "$a$$b$"
    assert [(r.kind, src[r.start : r.end]) for r in regions(src)] == [
        ("inline", "$a$"),
        ("inline", "$b$"),
    ]


def test_math_spans_single_newlines():
    src = "$a +\n b$"
    (reg,) = regions(src)
    assert src[reg.rows[0].start : reg.rows[0].end] == "a +\n b"


# -- environments -------------------------------------------------------------------

ENVIRONMENTS = [
    "equation", "align", "flalign", "gather", "multline", "eqnarray", "math", "displaymath",
]  # fmt: skip


@pytest.mark.parametrize("star", ["", "*"])
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_math_environments(env, star):
    name = env + star
    src = f"Text \\begin{{{name}}}\n  x = y\n\\end{{{name}}} more"
    (reg,) = regions(src)
    assert reg.kind == name
    assert reg.delimiter == "\\begin"
    assert reg.display is (env != "math")
    assert src[reg.start : reg.end] == f"\\begin{{{name}}}\n  x = y\n\\end{{{name}}}"
    assert src[reg.body_start : reg.body_end] == "\n  x = y\n"
    assert [src[r.start : r.end] for r in reg.rows] == ["x = y"]


@pytest.mark.parametrize("star", ["", "*"])
def test_alignat_argument_is_not_math(star):
    name = "alignat" + star
    src = f"\\begin{{{name}}}{{2}} a &= b & c &= d \\\\ e &= f \\end{{{name}}}"
    (reg,) = regions(src)
    assert reg.kind == name
    assert src[reg.body_start : reg.body_end] == " a &= b & c &= d \\\\ e &= f "
    assert [src[r.start : r.end] for r in reg.rows] == ["a &= b & c &= d", "e &= f"]


@pytest.mark.parametrize("env", ["align", "gather", "multline", "eqnarray", "flalign"])
def test_row_environments_split_into_rows(env):
    src = f"\\begin{{{env}}}\n  a &= b \\\\\n  c &= d\n\\end{{{env}}}"
    (reg,) = regions(src)
    assert [src[r.start : r.end] for r in reg.rows] == ["a &= b", "c &= d"]
    assert [r.index for r in reg.rows] == [0, 1]


def test_rows_split_on_every_form_of_line_break_and_keep_ampersands():
    check_rows(
        r"""
        \begin{align*}
          f(x) &= (x+1)^2 \\[2pt]
          ^^^^^^^^^^^^^^^
               &= x^2 + 2x + 1 \\*
               ^^^^^^^^^^^^^^^
               &= 1 \\ [1ex]
               ^^^^
               &= 2
               ^^^^
        \end{align*}
        """
    )
    src = "\\begin{align}a &= b \\\\[2pt] &= c\\end{align}"
    assert [row.text.text.strip() for row in regions(src)[0].rows] == ["a &= b", "&= c"]


def test_intertext_ends_a_row_and_its_inline_math_are_rows():
    # amsmath ends the row at \intertext, with or without a \\ before it; the words are
    # prose, each $…$ in them a row of its own (exact offsets after non-ASCII text)
    check_rows(
        r"""
        Für die Größen gilt: «é»
        \begin{align*}
          x_{k+1} &= A x_k + B u_k
          ^^^^^^^^^^^^^^^^^^^^^^^^
          \intertext{and, with the same $C$ (über $K \in \mathbb{R}^{m}$),}
                                         ^         ^^^^^^^^^^^^^^^^^^^^
          y_k &= C x_k \\
          ^^^^^^^^^^^^
          \shortintertext{so}
          z &= \text{{é} $w$} \intertext{bad} w
          ^^^^^^^^^^^^^^^^^^^
                                              ^
        \end{align*}
        """
    )


def test_intertext_inside_braces_or_without_argument_does_not_split():
    src = "\\begin{align} a &= \\frac{b}{c \\intertext{x}} \\intertext d \\end{align}"
    (reg,) = regions(src)
    assert [src[r.start : r.end] for r in reg.rows] == [
        "a &= \\frac{b}{c \\intertext{x}} \\intertext d"
    ]


def test_trailing_line_break_and_label_lines_give_no_empty_row():
    src = "\\begin{align}\n a &= b \\label{e1} \\\\\n c &= d \\nonumber \\\\\n\\end{align}"
    (reg,) = regions(src)
    assert [src[r.start : r.end] for r in reg.rows] == ["a &= b \\label{e1}", "c &= d \\nonumber"]


@pytest.mark.parametrize("inner", ["aligned", "split", "gathered"])
@pytest.mark.parametrize(
    ("open_", "close"),
    [("\\[", "\\]"), ("\\begin{equation}", "\\end{equation}"), ("$$", "$$")],
)
def test_nested_row_environments_are_split(inner, open_, close):
    src = f"{open_}\\begin{{{inner}}} a &= b \\\\ c &= d \\end{{{inner}}}{close}"
    (reg,) = regions(src)
    assert len(reg.rows) == 2
    first, second = (src[r.start : r.end] for r in reg.rows)
    assert first == f"\\begin{{{inner}}} a &= b"
    assert second == f"c &= d \\end{{{inner}}}"


@pytest.mark.parametrize(
    "inner", ["cases", "bmatrix", "pmatrix", "matrix", "vmatrix", "smallmatrix"]
)
def test_matrix_like_environments_stay_in_one_row(inner):
    body = f"A = \\begin{{{inner}}} 1 & 2 \\\\ 3 & 4 \\end{{{inner}}}"
    src = f"\\[ {body} \\]"
    (reg,) = regions(src)
    (row,) = reg.rows
    assert src[row.start : row.end] == body
    assert row.text.text.strip() == body


def test_array_stays_in_one_row_inside_align():
    check_rows(
        r"""
        \begin{align}
          A &= \begin{array}{cc} a & b \\ c & d \end{array} \\
          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
          B &= \left( x \\ y \right) + \frac{1}{2 \\ 3}
          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        \end{align}
        """
    )


def test_row_text_maps_back_to_the_source_exactly():
    src = "é \\begin{align}\n  α &= β \\\\\n  γ &= \\delta\n\\end{align}"
    (reg,) = regions(src)
    for row in reg.rows:
        t = row.text
        s, e = t.strip_range()
        assert t.source_range(s, e) == (row.start, row.end)
        assert t.is_verbatim(s, e)
        assert t.text[s:e] == src[row.start : row.end]


# -- comments, escapes and verbatim text -----------------------------------------------


def test_comments_are_not_math_but_escaped_percent_is_text():
    src = "% $x$ in a comment\n50\\% of $y$ % and $z$\n$w$"
    assert [src[r.body_start : r.body_end] for r in regions(src)] == ["y", "w"]


def test_comment_lines_inside_align_are_removed_from_rows():
    src = (
        "\\begin{align}\n  a &= b \\\\ % first row\n  % c &= d \\\\\n  e &= f % last\n\\end{align}"
    )
    (reg,) = regions(src)
    assert [src[r.start : r.end] for r in reg.rows] == ["a &= b", "e &= f"]
    assert all("%" not in r.text.text for r in reg.rows)
    assert all("c &= d" not in r.text.text for r in reg.rows)


def test_comment_inside_inline_math_is_excluded():
    src = "$a + % note $\n b$"
    (reg,) = regions(src)
    assert reg.rows[0].text.text == "a + \n b"
    assert src[reg.end - 1] == "$" and reg.end == len(src)


def test_escaped_dollar_is_not_math():
    src = "It costs \\$5, or \\$6; $x$ is math."
    (reg,) = regions(src)
    assert src[reg.start : reg.end] == "$x$"


def test_escaped_dollar_inside_math_does_not_close_it():
    src = "$\\$ + x$"
    (reg,) = regions(src)
    assert reg.rows[0].text.text == "\\$ + x"


def test_verb_is_skipped():
    src = "Type \\verb|$x$| or \\verb*+$y$+ then $z$."
    assert [src[r.start : r.end] for r in regions(src)] == ["$z$"]


@pytest.mark.parametrize(
    ("open_", "close"),
    [
        ("\\begin{verbatim}", "\\end{verbatim}"),
        ("\\begin{lstlisting}[language=Python]", "\\end{lstlisting}"),
        ("\\begin{minted}{python}", "\\end{minted}"),
        ("\\begin{comment}", "\\end{comment}"),
    ],
)
def test_verbatim_like_environments_are_skipped(open_, close):
    src = (
        f"{open_}\ncost = $5 $$x$$ \\[y\\] \\begin{{equation}}z\\end{{equation}}\n{close}\nthen $w$"
    )
    assert [src[r.start : r.end] for r in regions(src)] == ["$w$"]
    assert read_text(src).problems == ()


def test_unclosed_verbatim_is_a_warning_and_hides_the_rest():
    src = "\\begin{verbatim}\n$x$"
    doc = read_text(src)
    assert doc.regions == ()
    (p,) = doc.problems
    assert (p.severity, p.code) == ("warning", "unclosed-environment")


def test_iffalse_block_is_skipped():
    src = "\\iffalse $x$ \\fi $y$"
    assert [src[r.start : r.end] for r in regions(src)] == ["$y$"]


def test_text_with_dollars_inside_display_math_does_not_end_it():
    src = "\\[ f(x) = 1 \\text{ if $x>0$}, \\quad 0 \\mbox{otherwise, $x \\le 0$} \\]"
    (reg,) = regions(src)
    assert (reg.start, reg.end) == (0, len(src))
    assert reg.rows[0].text.text.strip().endswith("\\mbox{otherwise, $x \\le 0$}")


def test_text_with_dollars_inside_inline_math_does_not_end_it():
    src = "$y = \\text{$x$ squared}$ and $z$"
    assert [src[r.start : r.end] for r in regions(src)] == ["$y = \\text{$x$ squared}$", "$z$"]


def test_dollars_in_a_group_inside_math_belong_to_the_group():
    # a tikz picture inside math: its node texts {$x$} are not the end of the math
    src = "$(\\tikz{\\draw (0,0) node{$x$} -- (1,0) node{$f$};}) \\in \\R^n$ then $y$"
    regs = regions(src)
    assert [src[r.start : r.end] for r in regs] == [src[: src.index(" then")], "$y$"]


def test_unbalanced_brace_still_ends_math_at_its_closer():
    src = "$\\frac{a}{b$ text $c$\n\nnext $d$"
    regs = regions(src)
    assert [src[r.start : r.end] for r in regs] == ["$\\frac{a}{b$", "$c$", "$d$"]


# -- problems ----------------------------------------------------------------------------


def test_unclosed_dollar_gives_one_problem_and_reading_goes_on():
    src = "We have $x + y\n\nNext paragraph: $z$ and \\[w\\]."
    doc = read_text(src)
    (p,) = doc.problems
    assert (p.severity, p.code) == ("error", "unclosed-math")
    assert (p.start, p.end) == (8, 9)
    assert "$" in p.message
    assert [src[r.start : r.end] for r in doc.regions] == ["$z$", "\\[w\\]"]


def test_blank_line_with_crlf_also_ends_math():
    src = "$x\r\n\r\n$y$"
    doc = read_text(src)
    assert [p.code for p in doc.problems] == ["unclosed-math"]
    assert [src[r.start : r.end] for r in doc.regions] == ["$y$"]


def test_unclosed_environment_is_reported_at_its_begin():
    src = "\\begin{align}\n a &= b\n\nrest $c$"
    doc = read_text(src)
    (p,) = doc.problems
    assert p.code == "unclosed-math"
    assert src[p.start : p.end] == "\\begin{align}"
    assert "\\begin{align}" in p.message
    assert [src[r.start : r.end] for r in doc.regions] == ["$c$"]


def test_unclosed_display_at_end_of_file():
    doc = read_text("text \\[ x = 1")
    assert [(p.code, p.start, p.end) for p in doc.problems] == [("unclosed-math", 5, 7)]
    assert doc.regions == ()


# -- offsets with non-ASCII text ------------------------------------------------------


def test_non_ascii_text_before_math_offsets_are_string_indices():
    src = "Schrödinger’s 🐈 équation: $ψ = Aφ$ — fin"
    (reg,) = regions(src)
    assert src[reg.start : reg.end] == "$ψ = Aφ$"
    assert reg.start == src.index("$")
    (row,) = reg.rows
    assert src[row.start : row.end] == "ψ = Aφ"
    assert row.text.source_range(4, 6) == (src.index("Aφ"), src.index("Aφ") + 2)


def test_non_ascii_fixture_ranges():
    check_rows(
        """
        Größe ≤ 3: $\\|x\\|_2 ≤ ε$, sodann
                    ^^^^^^^^^^^
        ℝ ist \\[ y ∈ ℝ^n \\]
                 ^^^^^^^
        """
    )


# -- what else a scan finds ------------------------------------------------------------


def test_scan_finds_documentclass_magic_root_and_includes():
    src = (
        "% !TEX root = ../main.tex\n"
        "\\documentclass{article}\n"
        "\\usepackage[utf8]{inputenc,mymacros}\n"
        "\\input{chapters/a}\\include{b.tex}\n"
        "\\input c.tex\n"
        "\\subfile{sub/d}\\import{dir/}{e}\\subimport{}{f}\n"
        "% \\input{commented}\n"
    )
    result = scan(src)
    assert result.magic_root == "../main.tex"
    assert result.has_documentclass
    got = [(i.command, i.target) for i in result.includes]
    assert got == [
        ("usepackage", "article.cls"),  # (a local class is read as a local package)
        ("usepackage", "inputenc.sty"),
        ("usepackage", "mymacros.sty"),
        ("input", "chapters/a"),
        ("include", "b.tex"),
        ("input", "c.tex"),
        ("subfile", "sub/d"),
        ("import", "dir/e"),
        ("subimport", "f"),
    ]
    inc = result.includes[3]
    assert src[inc.start : inc.end] == "\\input{chapters/a}"


def test_definitions_are_not_math():
    src = "\\newcommand{\\vx}{$\\mathbf{x}$}\\def\\y{$y$} $z$"
    result = scan(src)
    assert [d.name for d in result.definitions] == ["vx", "y"]
    assert [src[r.start : r.end] for r in result.regions] == ["$z$"]


def test_extra_environments_are_math():
    src = "\\begin{myeq} x \\end{myeq}"
    assert scan(src).regions == []
    (reg,) = read_text(src, extra_environments={"myeq"}).regions
    assert reg.kind == "myeq"
    assert src[reg.rows[0].start : reg.rows[0].end] == "x"


def test_empty_math_has_one_empty_row_at_the_body():
    src = "ab \\[\\] cd"
    (reg,) = regions(src)
    (row,) = reg.rows
    assert row.text.text == ""
    assert (row.start, row.end) == (reg.body_start, reg.body_start)


# -- robustness ------------------------------------------------------------------------

_PIECES = [
    "$", "$$", "\\(", "\\)", "\\[", "\\]", "{", "}", "\\\\", "&", "%", "\n", "\n\n", " ", "x",
    "é", "\\$", "\\%", "\\begin{align}", "\\end{align}", "\\begin{aligned}", "\\end{aligned}",
    "\\begin{equation}", "\\end{equation}", "\\begin{verbatim}", "\\end{verbatim}",
    "\\text{", "\\verb|", "|", "\\left(", "\\right)", "\\newcommand{\\R}{\\mathbb{R}}",
    "\\def\\a{\\a}", "\\R", "\\a", "\\input{", "[2pt]", "\\\\*", "\\iffalse", "\\fi",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_any_input_reads_without_exceptions_and_rows_stay_in_their_region(pieces):
    src = "".join(pieces)
    doc = read_text(src)
    for reg in doc.regions:
        assert 0 <= reg.start <= reg.body_start <= reg.body_end <= reg.end <= len(src)
        assert reg.rows
        for row in reg.rows:
            assert reg.body_start <= row.start <= row.end <= reg.body_end
    for p in doc.problems:
        assert 0 <= p.start <= p.end <= len(src)
    starts = [r.start for r in doc.regions]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(doc.regions, doc.regions[1:], strict=False))


def test_a_note_that_breaks_a_bracket_is_a_row_apart():
    # `&& \text{(gain, } n \times m)`: an annotation whose words break a bracket across
    # their math is a row apart, so the row's formula is read; a note that reads stays (the
    # derivation checks read `&& \text{(by cyclicity)}` as a step's note)
    src = (
        "\\begin{align*} K &= P H^\\top S^{-1} && \\text{(gain, } n \\times m) \\\\\n"
        " y &= z - H x &&\\quad (\\text{innovation}) \\\\\n"
        " a &= b && c = d\n\\end{align*}"
    )
    (reg,) = regions(src)
    assert [src[r.start : r.end] for r in reg.rows] == [
        "K &= P H^\\top S^{-1}",
        "\\text{(gain, } n \\times m)",
        "y &= z - H x &&\\quad (\\text{innovation})",
        "a &= b && c = d",
    ]
