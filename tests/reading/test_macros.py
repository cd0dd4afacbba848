r"""User macros: definitions, merging, and expansion with its origin map."""

from __future__ import annotations

import time

import pytest

from tests.conftest import CORPUS
from texgrad.reading.document import read_text
from texgrad.reading.latex import scan
from texgrad.reading.macros import Macro, merge, parse_definition


def definitions(src: str) -> dict[str, Macro]:
    return {d.name: d for d in scan(src).definitions}


def expanded(src: str) -> list[str]:
    """The text of every row of every region, stripped, after expansion."""
    return [row.text.text.strip() for reg in read_text(src).regions for row in reg.rows]


# -- reading definitions -----------------------------------------------------------


def test_newcommand_with_arguments():
    src = r"\newcommand{\ip}[2]{\langle #1, #2 \rangle}"
    d = definitions(src)["ip"]
    assert (d.name, d.nargs, d.default, d.body, d.kind) == (
        "ip", 2, None, r"\langle #1, #2 \rangle", "newcommand",
    )  # fmt: skip
    assert (d.start, d.end) == (0, len(src))


def test_newcommand_forms():
    src = (
        r"\newcommand\va{\mathbf{a}}"
        r"\newcommand*{\vb}{\mathbf{b}}"
        "\\newcommand{\\vc}\n  [1]\n  {\\mathbf{#1}}"
        r"\DeclareRobustCommand{\vd}{\mathbf{d}}"
    )
    d = definitions(src)
    assert {k: (m.nargs, m.body) for k, m in d.items()} == {
        "va": (0, r"\mathbf{a}"),
        "vb": (0, r"\mathbf{b}"),
        "vc": (1, r"\mathbf{#1}"),
        "vd": (0, r"\mathbf{d}"),
    }
    assert expanded(src + r"$\va + \vb + \vc{x} + \vd$") == [
        r"\mathbf{a} + \mathbf{b} + \mathbf{x} + \mathbf{d}"
    ]


def test_a_control_symbol_can_be_defined_and_expands():
    r"""``\newcommand{\1}{\mathbf{1}}``: papers name the ones vector with a digit."""
    src = r"\newcommand{\1}{\mathbf{1}}\newcommand{\vx}{\mathbf{x}}"
    assert definitions(src)["1"].body == r"\mathbf{1}"
    assert expanded(src + r" $\vx^\top \1_n = \1^\top \vx$ and $a \, b \\ c$") == [
        r"\mathbf{x}^\top \mathbf{1}_n = \mathbf{1}^\top \mathbf{x}",
        r"a \, b",
        "c",
    ]  # (other control symbols, \, and \\, are left as they are)


def test_optional_argument_default():
    src = r"\newcommand{\E}[2][x]{\mathbb{E}_{#1}[#2]}"
    d = definitions(src)["E"]
    assert (d.nargs, d.default) == (2, "x")
    assert expanded(src + r" $\E{f} = \E[y]{g} = \E[]{h}$") == [
        r"\mathbb{E}_{x}[f] = \mathbb{E}_{y}[g] = \mathbb{E}_{}[h]"
    ]


def test_renewcommand_replaces_and_providecommand_does_not():
    src = (
        r"\newcommand{\A}{1}\renewcommand{\A}{2}"
        r"\newcommand{\B}{3}\providecommand{\B}{4}"
        r"\providecommand{\C}{5}"
    )
    table = merge([scan(src).definitions])
    assert {k: (m.body, m.kind) for k, m in table.items()} == {
        "A": ("2", "renewcommand"),
        "B": ("3", "newcommand"),
        "C": ("5", "providecommand"),
    }
    assert expanded(src + r"$\A\B\C$") == ["235"]


def test_def_with_doubled_braces():
    src = r"\def\vx{{\bm{x}}}"
    d = definitions(src)["vx"]
    assert (d.nargs, d.body, d.kind) == (0, r"{\bm{x}}", "def")
    assert expanded(src + r"$\vx^\top \vx$") == [r"{\bm{x}}^\top {\bm{x}}"]


def test_def_with_parameters():
    src = r"\def\pd#1#2{\frac{\partial #1}{\partial #2}}"
    d = definitions(src)["pd"]
    assert (d.nargs, d.body) == (2, r"\frac{\partial #1}{\partial #2}")
    assert expanded(src + r"$\pd{f}{x} + \pd gy + \pd\ell\theta$") == [
        r"\frac{\partial f}{\partial x} + \frac{\partial g}{\partial y}"
        r" + \frac{\partial \ell}{\partial \theta}"
    ]


def test_declare_math_operator_and_starred():
    src = r"\DeclareMathOperator{\tr}{tr}\DeclareMathOperator*{\argmin}{arg\,min}"
    d = definitions(src)
    assert (d["tr"].kind, d["tr"].body) == ("operator", r"\operatorname{tr}")
    assert (d["argmin"].kind, d["argmin"].body) == ("operator", r"\operatorname*{arg\,min}")
    assert expanded(src + r"$\tr(A) + \argmin_x f$") == [
        r"\operatorname{tr}(A) + \operatorname*{arg\,min}_x f"
    ]


def test_let_with_and_without_equals():
    src = r"\let\eps\varepsilon \let\ph = \varphi"
    d = definitions(src)
    assert (d["eps"].kind, d["eps"].body) == ("let", r"\varepsilon")
    assert (d["ph"].kind, d["ph"].body) == ("let", r"\varphi")
    assert expanded(src + r" $\eps\ph$") == [r"\varepsilon\varphi"]


def test_xparse_document_commands_with_mandatory_and_default_arguments():
    src = (
        r"\NewDocumentCommand{\norm}{m}{\lVert #1 \rVert}"
        r"\NewDocumentCommand\ip{ O{\cdot} +m }{\langle #1, #2 \rangle}"
        r"\ProvideDocumentCommand{\vx}{}{\bm{x}}"
        r"\DeclareDocumentCommand{\pd}{m m}{\frac{\partial #1}{\partial #2}}"
    )
    d = definitions(src)
    assert [(m.name, m.nargs, m.default, m.body, m.kind) for m in d.values()] == [
        ("norm", 1, None, r"\lVert #1 \rVert", "newcommand"),
        ("ip", 2, r"\cdot", r"\langle #1, #2 \rangle", "newcommand"),
        ("vx", 0, None, r"\bm{x}", "providecommand"),
        ("pd", 2, None, r"\frac{\partial #1}{\partial #2}", "newcommand"),
    ]
    assert expanded(src + r"$\norm{A\vx} + \ip{a} + \ip[M]{a}$") == [
        r"\lVert A\bm{x} \rVert + \langle \cdot, a \rangle + \langle M, a \rangle"
    ]


def test_xparse_commands_with_other_arguments_stay_unknown():
    # an `o` argument not tested by the whole body (\IfValueTF), `s` by \IfBooleanTF: not read
    src = r"\NewDocumentCommand{\a}{s m}{#2}\NewDocumentCommand{\b}{o m}{#2}\RenewDocumentCommand{\c}{m}"
    assert definitions(src) == {}


def test_an_optional_argument_tested_by_the_whole_body_gives_two_forms():
    src = (
        r"\NewDocumentCommand{\W}{o}{\IfNoValueTF{#1}{\mathbf{W}}{\mathbf{W}_{#1}}}"
        r"\NewDocumentCommand{\h}{o m}{\IfValueTF{#1}{\mathbf{h}^{(#1)}_{#2}}{\mathbf{h}_{#2}}}"
    )
    assert sorted(definitions(src)) == ["W", "h"]
    assert expanded(src + r"$\W x + \W[\mathrm{dec}] z + \h{t} + \h[2]{t}$") == [
        r"\mathbf{W} x + \mathbf{W}_{\mathrm{dec}} z + \mathbf{h}_{t} + \mathbf{h}^{(2)}_{t}"
    ]


def test_an_optional_argument_used_otherwise_stays_unknown():
    # the branch without the value uses #1 (-NoValue-), or the body is more than the test
    src = (
        r"\NewDocumentCommand{\a}{o}{\IfNoValueTF{#1}{#1}{x}}"
        r"\NewDocumentCommand{\b}{o}{y \IfNoValueTF{#1}{x}{z}}"
    )
    assert definitions(src) == {}


def test_a_paired_delimiter_with_arguments_expands():
    src = r"\DeclarePairedDelimiterX{\inner}[2]{\langle}{\rangle}{#1, #2}"
    src += r"\DeclarePairedDelimiterX\set[2]{\{}{\}}{#1 \delimsize\vert #2}"
    assert expanded(src + r"$\inner{u}{v} + \inner*{a}{b} + \inner[\big]{c}{d}$") == [
        r"\langle u, v \rangle + \langle a, b \rangle + \langle c, d \rangle"
    ]
    assert expanded(src + r"$\set{x}{x > 0}$") == [r"\{ x \vert x > 0 \}"]


def test_definitions_inside_comments_are_ignored():
    src = "% \\newcommand{\\R}{\\mathbb{R}}\n%\\def\\vx{x}\n$\\R \\vx$"
    assert scan(src).definitions == []
    assert expanded(src) == [r"\R \vx"]


def test_definitions_in_verbatim_are_ignored():
    src = "\\begin{verbatim}\\newcommand{\\R}{X}\\end{verbatim} $\\R$"
    assert expanded(src) == [r"\R"]


def test_parse_definition_reports_where_it_stopped():
    src = r"xx\newcommand{\a}[1]{#1!} rest"
    macro, end = parse_definition(src, 2, "f.tex")
    assert macro is not None
    assert (macro.name, macro.path, src[macro.start : macro.end]) == (
        "a", "f.tex", r"\newcommand{\a}[1]{#1!}",
    )  # fmt: skip
    assert src[end:] == " rest"
    assert parse_definition(r"\newcommand{\b}[x]{y}", 0)[0] is None
    assert parse_definition(r"\newcommand{\c}{unclosed", 0)[0] is None


# -- expansion and its origin map -------------------------------------------------------


def test_norm_argument_maps_to_itself_and_body_to_the_call():
    src = "\\newcommand{\\norm}[1]{\\left\\|#1\\right\\|}\nWe bound $\\norm{Ax} \\le 1$."
    (reg,) = read_text(src).regions
    (row,) = reg.rows
    t = row.text
    assert t.text == r"\left\|Ax\right\| \le 1"
    i = t.text.index("Ax")
    a, b = t.source_range(i, i + 2)
    assert src[a:b] == "Ax"
    assert (a, b) == (src.index("Ax"), src.index("Ax") + 2)
    assert t.is_verbatim(i, i + 2)
    call = (src.index(r"\norm{Ax}"), src.index(r"\norm{Ax}") + len(r"\norm{Ax}"))
    assert t.source_range(0, len(r"\left\|")) == call
    assert not t.is_verbatim(0, len(r"\left\|"))
    j = t.text.index(r"\right")
    assert t.source_range(j, j + len(r"\right\|")) == call
    k = t.text.index(r" \le") + 1
    assert t.source_range(k, k + 3) == (src.index(r" \le") + 1, src.index(r" \le") + 4)
    # the row as a whole still spans what the user wrote
    assert src[row.start : row.end] == r"\norm{Ax} \le 1"


def test_nested_macros_map_to_the_outer_call():
    src = "\\newcommand{\\bbR}{\\mathbb R}\n\\newcommand{\\R}{\\bbR}\n$x \\in \\R^{n}$"
    (reg,) = read_text(src).regions
    t = reg.rows[0].text
    assert t.text == r"x \in \mathbb R^{n}"
    i = t.text.index(r"\mathbb")
    assert src[slice(*t.source_range(i, i + len(r"\mathbb R")))] == r"\R"
    j = t.text.index("^{n}")
    assert src[slice(*t.source_range(j, j + 4))] == "^{n}"
    assert t.is_verbatim(j, j + 4)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_nested_macros_from_cs229m_macros_file():
    macros_tex = (CORPUS / "cs229m-notes" / "macros.tex").read_text(encoding="utf-8")
    table = merge([scan(macros_tex).definitions])
    assert table["R"].body == r"\bbR"
    assert table["bbR"].body == r"\mathbb R"
    doc = read_text(r"Let $w \in \R^d$ and $\E[x]$.", macros=table)
    assert doc.regions[0].rows[0].text.text == r"w \in \mathbb R^d"
    assert doc.problems == ()


def test_argument_that_is_a_macro_is_expanded_too():
    src = r"\def\vx{{\bm{x}}}\newcommand{\norm}[1]{\|#1\|}$\norm{\vx}$"
    assert expanded(src) == [r"\|{\bm{x}}\|"]


def test_control_word_at_the_end_of_a_body_stays_apart_from_letters():
    src = r"\newcommand{\dotp}[1]{#1\cdot}$\dotp{a}b$"
    assert expanded(src) == [r"a\cdot b"]


def test_macros_from_a_table_and_the_text_itself():
    table = merge([scan(r"\newcommand{\R}{\mathbb{R}}\newcommand{\vx}{\mathbf{x}}").definitions])
    doc = read_text(r"\renewcommand{\vx}{\bm{x}} $\vx \in \R^n$", macros=table)
    assert doc.regions[0].rows[0].text.text == r"\bm{x} \in \mathbb{R}^n"


def test_expansion_happens_before_rows_are_split():
    src = (
        r"\newcommand{\R}{\mathbb{R}}"
        "\\begin{align}\n  x &\\in \\R^n \\\\\n  y &\\in \\R^m\n\\end{align}"
    )
    (reg,) = read_text(src).regions
    assert [r.text.text.strip() for r in reg.rows] == [
        r"x &\in \mathbb{R}^n",
        r"y &\in \mathbb{R}^m",
    ]
    assert [src[r.start : r.end] for r in reg.rows] == [r"x &\in \R^n", r"y &\in \R^m"]


def test_unknown_macros_and_missing_arguments_are_left_alone():
    src = r"\newcommand{\f}[2]{#1#2}$\g{x} + \f{a}$"
    assert expanded(src) == [r"\g{x} + \f{a}"]


def test_backslash_at_the_end_of_an_argument_list_does_not_crash():
    src = "\\def\\f#1{(#1)}\\[\\f\\\n x\\]"
    doc = read_text(src)
    assert len(doc.regions) == 1


# -- runaway definitions ------------------------------------------------------------------


def test_recursive_def_terminates_with_a_macro_loop_problem():
    src = r"\def\a{\a x}$\a + y$"
    doc = read_text(src)
    (reg,) = doc.regions
    assert reg.rows[0].text.text == r"\a + y"  # left as written
    (p,) = doc.problems
    assert (p.code, p.severity) == ("macro-loop", "warning")
    assert src[p.start : p.end] == r"\a"
    assert r"\a" in p.message


def test_mutual_recursion_terminates():
    src = r"\def\a{\b}\def\b{(\a)}$\a$ and $z$"
    doc = read_text(src)
    assert [p.code for p in doc.problems] == ["macro-loop"]
    assert [r.rows[0].text.text for r in doc.regions] == [r"\a", "z"]


def test_exponential_definition_terminates_quickly():
    src = r"\def\a{\a\a}$\a$"
    t0 = time.perf_counter()
    doc = read_text(src)
    assert time.perf_counter() - t0 < 5
    assert [p.code for p in doc.problems] == ["macro-loop"]
    assert doc.regions[0].rows[0].text.text == r"\a"


@pytest.mark.parametrize(
    "defs, region",
    [
        (r"\newcommand{\d}[1]{#1#1}", "\\d{" * 16 + "x" + "}" * 16),  # 2^16 x's
        (r"\def\a{\a\a}", r"\a"),
        (r"\newcommand{\a}{\b x}\newcommand{\b}{\a y}", r"\a + \b"),
    ],
)
def test_a_runaway_expansion_costs_calls_in_proportion_to_its_region(
    monkeypatch: pytest.MonkeyPatch, defs: str, region: str
) -> None:
    """Issue 18: each call of a doubling macro copied what the calls below it made, up to
    2,000 calls a region whatever its size (0.2 s for a 70-character region: a page of
    them never ended).  A region's calls are bounded by its length: every region is left
    as written with its problem, after no more calls than the bound."""
    from texgrad.reading import macros

    made = []
    real = macros._substitute
    monkeypatch.setattr(macros, "_substitute", lambda *a: made.append(1) or real(*a))
    doc = read_text(defs + "\n" + f"${region}$\n" * 50)
    assert [r.rows[0].text.text for r in doc.regions] == [region] * 50
    assert {p.code for p in doc.problems} == {"macro-loop"} and len(doc.problems) == 50
    bound = macros.EXPANSIONS_BESIDES + macros.EXPANSIONS_PER_CHARACTER * len(region)
    assert bound < macros.MAX_EXPANSIONS
    assert 0 < len(made) <= 50 * bound


def test_a_runaway_expansion_produces_text_in_proportion_to_its_region(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 18: ``\\def\\a#1{\\a{#1#1}}`` makes few calls but doubles its argument at each,
    up to 100,000 characters a region (~1 s of copying: 200 regions held a check for
    minutes). What a region's expansions produce is bounded by its length too."""
    from texgrad.reading import macros

    made: list[int] = []
    real = macros._substitute

    def counted(*a: object) -> object:
        out = real(*a)  # type: ignore[arg-type]
        made.append(len(out.text))
        return out

    monkeypatch.setattr(macros, "_substitute", counted)
    region = r"\a{x} + y"
    doc = read_text(r"\def\a#1{\a{#1#1}}" + "\n" + f"${region}$\n" * 20)
    assert [r.rows[0].text.text for r in doc.regions] == [region] * 20
    assert {p.code for p in doc.problems} == {"macro-loop"}
    bound = macros.GROWTH_BESIDES + macros.GROWTH_PER_CHARACTER * len(region)
    assert bound < macros.MAX_GROWTH
    assert max(made) <= 2 * bound and sum(made) <= 20 * 3 * bound


def test_a_region_of_many_calls_expands_them_all() -> None:
    """The bound is per character: a long region calling a macro (that calls another)
    everywhere is expanded whole."""
    calls = " + ".join([r"\vx"] * 900)
    src = r"\newcommand{\vect}[1]{\mathbf{#1}}\newcommand{\vx}{\vect{x}}" + f"${calls}$"
    assert expanded(src) == [" + ".join([r"\mathbf{x}"] * 900)]


def test_deep_but_finite_nesting_expands():
    defs = "".join(f"\\newcommand{{\\m{chr(97 + i)}}}{{\\m{chr(98 + i)}}}" for i in range(10))
    src = defs + r"\newcommand{\mk}{K}$\ma$"
    assert expanded(src) == ["K"]


def test_comments_in_a_body_are_dropped():
    src = "\\newcommand{\\nrm}[1]{% a norm\n  \\left\\| #1 \\right\\|% end\n}\n\\def\\pct{50\\%}\n"
    d = definitions(src)
    assert d["nrm"].body == r"\left\| #1 \right\|"
    assert d["pct"].body == r"50\%"


def test_a_paired_delimiter_expands_with_its_star_and_size():
    # mathtools' \DeclarePairedDelimiter, as optimal-transport notes define their inner product
    src = (
        "\\DeclarePairedDelimiter{\\inner}{\\langle}{\\rangle}\n"
        "\\begin{document}\n"
        "$\\inner{P, C} + \\inner*{a, b} + \\inner[\\big]{f, g}$\n"
        "\\end{document}\n"
    )
    d = definitions(src)["inner"]
    assert (d.nargs, d.kind, d.body) == (1, "delimiter", "\\langle #1 \\rangle")
    assert expanded(src) == [
        "\\langle P, C \\rangle + \\langle a, b \\rangle + \\langle f, g \\rangle"
    ]


# -- definitions for a renderer that has not read the document ---------------------------


def test_katex_definitions_of_the_macros_a_text_uses():
    from texgrad.reading.macros import katex_definitions

    table = definitions(
        r"\newcommand{\R}{\mathbb{R}}\newcommand{\mA}{\mathbf{A}}"
        r"\newcommand{\vx}{\mathbf{x}}\newcommand{\proj}{\mA^\top}"
        r"\newcommand{\ip}[2]{\langle #1, #2 \rangle}"
        r"\newcommand{\opt}[1][x]{#1^\star}\DeclareMathOperator{\tr}{tr}"
    )
    # \proj's body uses \mA: both; \R, unused, and \opt (an optional argument), not
    used = r"2 \proj \vx + \ip{\vx}{\vx} + \tr(\vx \vx^\top) + \opt[y] + \frac{1}{2}"
    assert katex_definitions(used, table) == (
        r"\def\ip#1#2{\langle #1, #2 \rangle}\def\mA{\mathbf{A}}\def\proj{\mA^\top}"
        r"\def\tr{\operatorname{tr}}\def\vx{\mathbf{x}}"
    )
    assert katex_definitions(r"\frac{1}{2} x", table) == ""


def test_a_call_after_a_control_word_stays_apart_from_it():
    r"""``A^\top\unf{1}`` of ``\unf{1}`` = ``X_{(1)}`` is ``A^\top X_{(1)}``, not the unknown
    ``\topX`` (a thesis's mode-1 unfolding was refused as "the entry `A^\top\unf{1}`")."""
    src = "\\newcommand{\\unf}[1]{X_{(#1)}}\n$\\operatorname{tr}(A^\\top\\unf{1}M) + a\\unf{2}$\n"
    assert expanded(src) == [r"\operatorname{tr}(A^\top X_{(1)}M) + aX_{(2)}"]
