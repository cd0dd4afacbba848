r"""Prose cues in Chinese, German, French, Spanish, Italian and Portuguese (shapes/language_cues.py), read by the
readers of the English ones: sizes said in words, symmetric matrices, the layout stated,
hedges.  What is not certain is not read: a negated symmetry ("不对称", "nicht symmetrisch",
"non symétrique"), a layout supposed, denied, blamed or set beside the other one.  And the
ranges of what is found after CJK text stay exact, in every position encoding."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture, declaration, expected, found
from texgrad.calculus.written_derivatives import check_written
from texgrad.calculus.written_hedges import hedged_kinds
from texgrad.casefold import folded
from texgrad.protocol.plain_diagnostics import diagnostics_json
from texgrad.shapes import language_cues
from texgrad.shapes.check import Checker
from texgrad.shapes.layout_statements import statements
from texgrad.workspace import Workspace


@pytest.mark.parametrize(
    ("said", "letters", "size"),
    [
        (r"设 $X$ 是 $n\times p$ 的设计矩阵。", ["X"], "n×p"),
        (r"其中 $W$ 为 $m \times n$ 的对称正定权重矩阵，", ["W"], "m×n"),
        (r"$A$ 和 $B$ 都是 $n\times k$ 的矩阵。", ["A", "B"], "n×k"),
        (r"$\mathbf{x}$ 是 $n$ 维向量。", ["x"], "n"),
        (r"$\mathbf{a}$ 和 $\mathbf{c}$ 都是 $n$ 维列向量。", ["a", "c"], "n"),
        (r"$\mathbf{r}$ 是 $m$ 维行向量。", ["r"], "1×m"),
        (r"设 $A$ 是 $n$ 阶方阵。", ["A"], "n×n"),
        (r"设 $X$ 为 $n$ 行 $p$ 列的矩阵。", ["X"], "n×p"),
        (r"$\mathbf{y}$ 为 $n\times 1$ 的列向量，", ["y"], "n"),
        (r"对 $n\times p$ 的矩阵 $X$，", ["X"], "n×p"),
        (r"Sei $X$ eine $n\times p$-Matrix und", ["X"], "n×p"),
        (r"Sei $Y$ eine invertierbare $n\times n$-Matrix.", ["Y"], "n×n"),
        (r"Für eine reelle $n\times p$-Matrix $X$ gilt", ["X"], "n×p"),
        (r"Sei $\mathbf{w}$ ein Vektor der Länge $p$.", ["w"], "p"),
        (r"Sei $\mathbf{w}$ ein $p$-dimensionaler Vektor.", ["w"], "p"),
        (r"Soit $B$ une matrice $m\times n$ et", ["B"], "m×n"),
        (r"Soit $S$ une matrice symétrique définie positive de taille $n\times n$ ;", ["S"], "n×n"),
        (r"Soit $\mathbf{x}$ un vecteur de taille $n$.", ["x"], "n"),
        (r"Sea $X$ una matriz de tamaño $n\times p$ y", ["X"], "n×p"),
        (r"Sea $\mathbf{y}$ un vector de dimensión $n$.", ["y"], "n"),
        (r"Sia $X$ una matrice $n\times p$ e", ["X"], "n×p"),
        (r"dove $S$ è una matrice simmetrica di dimensione $n\times n$.", ["S"], "n×n"),
        (r"Sia $\mathbf{w}$ un vettore di lunghezza $p$.", ["w"], "p"),
        (r"e $\mathbf{r}$ un vettore riga di dimensione $m$.", ["r"], "1×m"),
        # ("不对称", not symmetric, holds "不对", not right: no blame, the size is said)
        (r"设 $X$ 可逆（一般不对称），$\mathbf{b}$ 是 $n$ 维向量。", ["b"], "n"),
        (r"Seja $X$ uma matriz $n\times p$ e", ["X"], "n×p"),
        (r"Seja $\mathbf{w}$ um vetor de dimensão $p$.", ["w"], "p"),
        (r"$\lambda$ 是标量。", ["\\lambda"], "1×1"),
        (r"Mit $s$ ist ein Skalar gemeint.", ["s"], "1×1"),
        (r"Sei $t$ ein positiver Skalar.", ["t"], "1×1"),
        (r"Für einen reellen Skalar $c$ gilt", ["c"], "1×1"),
        (r"Soit $t$ un scalaire strictement positif.", ["t"], "1×1"),
        (r"Sea $c$ un escalar.", ["c"], "1×1"),
    ],
)
def test_a_size_said_in_another_language(
    tmp_path: Path, said: str, letters: list[str], size: str
) -> None:
    _, result = check_fixture(tmp_path, "%! doc.md\n" + said + "\n")
    for letter in letters:
        font = "mathbf" if f"\\mathbf{{{letter}}}" in said else None
        d = declaration(result, letter, font)
        assert d is not None and d.shape.short() == size, letter


@pytest.mark.parametrize(
    "said",
    [
        r"记 $\mathbf{z} = W\mathbf{x}$，它是 $m$ 维向量。",  # a definition's value, not a letter
        r"$A\mathbf{g}$ 是 $n$ 维向量。",
        r"$X$ 是一个矩阵。",  # no size
        r"Sei $X$ eine Matrix.",
        r"Soit $X$ une matrice inversible.",
        r"Sia $X$ una matrice invertibile.",
    ],
)
def test_what_sizes_no_letter(tmp_path: Path, said: str) -> None:
    _, result = check_fixture(tmp_path, "%! doc.md\n" + said + "\n")
    assert declaration(result, "X") is None and declaration(result, "z", "mathbf") is None


def test_a_mismatch_of_letters_sized_in_chinese(tmp_path: Path) -> None:
    line = (
        "设 $B$ 是 $m\\times n$ 的矩阵，$\\mathbf{x}$ 是 $n$ 维向量。"
        "注意 $\\mathbf{x}^\\top B\\mathbf{x}$ 的维数不匹配。"
    )
    at = line.index("\\mathbf{x}^")
    carets = " " * at + "^" * len("\\mathbf{x}^\\top B")  # (the pair that does not agree)
    fx, result = check_fixture(tmp_path, f"%! doc.md\n{line}\n{carets}\n")
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize(
    ("said", "symmetric"),
    [
        (r"设 $A$ 为 $n\times n$ 的对称矩阵，", True),
        (r"由于 $A$ 是对称的，", True),
        (r"因为 $A$ 对称，", True),
        (r"设 $A$ 是 $n\times n$ 的对称正定矩阵。", True),
        (r"设 $A$ 是 $n\times n$ 的半正定矩阵。", True),
        (r"其中对称矩阵 $A$ 满足", True),
        (r"Sei $A \in \mathbb{R}^{n\times n}$ symmetrisch.", True),
        (r"Sei $A$ eine symmetrische $n\times n$-Matrix.", True),
        (r"für die symmetrische Matrix $A$ gilt", True),
        (r"Soit $A$ une matrice $n\times n$ symétrique.", True),
        (r"Soit $A$ une matrice symétrique définie positive.", True),
        (r"la matrice symétrique $A$ vérifie", True),
        (r"Sea $A$ una matriz simétrica.", True),
        # not said: negated, another property, another letter between
        (r"设 $A$ 是 $n\times n$ 的可逆矩阵（一般不对称）。", False),
        (r"设 $A$ 是非对称矩阵。", False),
        (r"设 $A$ 是反对称矩阵。", False),
        (r"对于一般的方阵（不要求对称），设 $A$ 是 $n\times n$ 的矩阵。", False),
        (r"Ist $A$ eine beliebige, nicht symmetrische $n\times n$-Matrix,", False),
        (r"Sei $A$ schiefsymmetrisch.", False),
        (r"Soit $A$ une matrice inversible (non symétrique en général).", False),
        (r"Soit $A$ antisymétrique.", False),
        (r"$A$ 和 $B$ 都是对称矩阵。", True),
        (r"Seien $A$ und $B$ symmetrisch.", True),
        (r"$\nabla f = 2A\mathbf{x}$, ce qui n'est vrai que si $A$ est symétrique.", True),
        (r"Let $A$ be a matrix with a zero diagonal.", False),  # English: not read here
        # Korean
        (r"대칭 행렬 $A \in \R^{n \times n}$ 에 대하여", True),
        (r"양의 정부호 대칭 행렬 $A$ 와 벡터 $\mathbf{x}$", True),
        (r"$A$ 는 $n \times n$ 대칭 행렬이다.", True),
        (r"$A$ 는 비대칭 행렬이다.", False),
        (r"$A$ 는 반대칭 행렬이다.", False),
        (r"$A$ 는 대칭 행렬이 아닌 일반 행렬이다.", False),
        (r"$A$ 의 대각합을 구하라.", False),
        (r"$A$ 의 대칭 부분", False),
    ],
)
def test_symmetric_said_in_another_language(said: str, symmetric: bool) -> None:
    text = folded(said)
    keys = {s.strip() for s, *_ in language_cues.symmetric_statements(text)}
    assert any(k.startswith("a") for k in keys) is symmetric, keys


@pytest.mark.parametrize(
    ("said", "supposed"),
    [
        (r"若 $A$ 对称，则", True),
        (r"如果 $A$ 是对称矩阵，", True),
        (r"Wenn $A$ symmetrisch ist, gilt", True),
        (r"Si $A$ est symétrique, alors", True),
        (r"만약 $A$ 가 대칭 행렬이면", True),
        (r"$A$ 가 대칭이면", True),
        (r"$A$ 는 대칭 행렬이다.", False),
        (r"设 $A$ 为对称矩阵。", False),
    ],
)
def test_a_symmetry_supposed_holds_in_its_sentence(said: str, supposed: bool) -> None:
    (statement,) = language_cues.symmetric_statements(folded(said))
    assert statement[3] is supposed


QUADRATIC = (
    "设 $A$ 为 $n\\times n$ 的{}矩阵，$\\mathbf{{x}}$ 是 $n$ 维向量。二次型的梯度为\n"
    "$$\\nabla_{{\\mathbf{{x}}}}(\\mathbf{{x}}^\\top A\\mathbf{{x}}) = 2A\\mathbf{{x}}.$$\n"
)


@pytest.mark.parametrize(("word", "reported"), [("对称", 0), ("", 1), ("可逆（一般不对称）", 1)])
def test_2ax_is_right_for_a_matrix_said_symmetric_in_chinese(
    tmp_path: Path, word: str, reported: int
) -> None:
    checked = Checker().check(str(tmp_path / "doc.md"), text=QUADRATIC.format(word))
    findings = check_written(checked, seconds=120.0)
    assert [f.kind for f in findings] == ["symmetric"] * reported


GENERAL = "设 $C$ 是 $n\\times n$ 的矩阵，$\\mathbf{x}$ 是 $n$ 维向量。\n\n"
CLAIM = "\\nabla_{\\mathbf{x}}(\\mathbf{x}^\\top C\\mathbf{x}) = 2C\\mathbf{x}"


@pytest.mark.parametrize(
    ("said", "reported"),
    [
        (f"$${CLAIM}$$\n这只在 $C$ 对称时成立。\n", 0),  # a hedge after the claim
        (f"$${CLAIM}$$（仅当 $C$ 对称时成立）\n", 0),
        (f"若 $C$ 对称，则 ${CLAIM}$。\n", 0),
        (f"当 $C$ 是对称矩阵时，${CLAIM}$。\n", 0),
        (f"Für symmetrisches $C$ gilt ${CLAIM}$.\n", 0),
        (f"${CLAIM}$ (nur für symmetrisches $C$).\n", 0),
        (f"Si $C$ est symétrique, ${CLAIM}$.\n", 0),
        (f"${CLAIM}$, ce qui n'est vrai que si $C$ est symétrique.\n", 0),
        (f"${CLAIM}$。\n", 1),
        # a supposition holds in its sentence only, a hedge for its own claim only
        (f"若 $C$ 对称，则 $C = C^\\top$。\n\n对一般的 $C$，${CLAIM}$。\n", 1),
        (f"$${CLAIM}$$\n这只在 $C$ 对称时成立。\n\n下一节。\n\n再写一次：${CLAIM}$。\n", 1),
    ],
)
def test_a_symmetry_supposed_or_hedged_in_another_language(
    tmp_path: Path, said: str, reported: int
) -> None:
    checked = Checker().check(str(tmp_path / "doc.md"), text=GENERAL + said)
    assert [f.kind for f in check_written(checked, seconds=120.0)] == ["symmetric"] * reported


@pytest.mark.parametrize(
    ("said", "layout"),
    [
        ("全文采用分母布局，即标量对列向量求导的结果仍是列向量。", "denominator"),
        ("本讲义采用分子布局：标量对列向量的导数是行向量。", "numerator"),
        ("本文使用分母布局。", "denominator"),
        (
            "Wir verwenden durchgehend das Nennerlayout, d.h. der Gradient hat die Gestalt von X.",
            "denominator",
        ),
        ("Im Folgenden gilt das Zählerlayout.", "numerator"),
        ("Dans tout ce chapitre, nous adoptons la disposition dénominateur.", "denominator"),
        ("Nous utilisons la convention du numérateur.", "numerator"),
        ("Usamos la disposición del denominador en todo el texto.", "denominator"),
        # no statement: supposed, denied, blamed, both named, no use
        ("如果采用分子布局，结果是行向量。", None),
        ("本文不采用分子布局。", None),
        ("分子布局和分母布局的结果互为转置。", None),
        ("把分母布局的结果当成分子布局是常见错误。", None),
        ("Wenn man das Zählerlayout verwendet, ist der Gradient ein Zeilenvektor.", None),
        ("Wir verwenden nicht das Zählerlayout.", None),
        ("Si l'on adopte la disposition numérateur, le gradient est une ligne.", None),
        ("Nous n'utilisons pas la disposition numérateur.", None),
        ("分母布局", None),  # a name alone (a heading): no use said
        ("分子布局在统计学中被广泛使用。", None),  # what others use
        ("下文介绍分子布局。", None),
        ("Im Folgenden erklären wir das Zählerlayout.", None),
        ("Beaucoup de manuels utilisent la disposition numérateur.", None),
        ("本文采用 denominator layout。", "denominator"),
        ("采用分母布局（denominator layout）。", "denominator"),
        ("Nous utilisons la convention « numérateur ».", "numerator"),
        ("If we adopt numerator layout, the gradient is a row.", None),  # (English: its own)
    ],
)
def test_a_layout_stated_in_another_language(said: str, layout: str | None) -> None:
    found_layouts = {s.layout for s in statements(said + "\n\nText $x$.\n")}
    assert found_layouts == ({layout} if layout else set())


def test_a_layout_stated_for_a_section_holds_there() -> None:
    text = "# 一\n\n本节采用分子布局。\n\n$x$\n\n# 二\n\n$y$\n\n# 三\n\n全文采用分母布局。\n\n$z$\n"
    said = statements(text)
    assert [s.layout for s in said] == ["numerator", "denominator"]
    assert said[0].end == text.index("# 二") and said[1].end == len(text)


@pytest.mark.parametrize(
    "said",
    [r"$A$ 的对称部分是", r"$A$ 的对角元都是正的", r"Der symmetrische Teil von $A$ ist"],
)
def test_a_part_of_a_matrix_is_not_the_matrix(said: str) -> None:
    assert language_cues.symmetric_statements(folded(said)) == []


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("相差一个符号，$x$ 就是梯度。", {"sign"}),
        ("$x$ 与正确结果只差一个常数因子。", {"factor", "sign", "scaled"}),
        ("Bis auf das Vorzeichen gilt $x$.", {"sign"}),
        ("Bis auf einen konstanten Faktor gilt $x$.", {"factor", "sign", "scaled"}),
        ("Au signe près, on trouve $x$.", {"sign"}),
        ("À un facteur constant près, on trouve $x$.", {"factor", "sign", "scaled"}),
        ("Salvo el signo, $x$ es el gradiente.", {"sign"}),
        ("相差一个符号。下一个 $x$ 是梯度。", set()),  # another sentence's hedge
        ("Wir rechnen bis auf die zweite Ordnung: $x$.", set()),
    ],
)
def test_a_hedge_in_another_language(sentence: str, kinds: set[str]) -> None:
    at = sentence.index("$x$")
    assert hedged_kinds(sentence, at, at + 3) == kinds


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def test_ranges_after_cjk_text_are_exact_in_every_encoding(tmp_path: Path) -> None:
    """A diagnostic after CJK text (three UTF-8 bytes each; 𠀋 is two UTF-16 units) starts
    and ends where its math does, in the client's encoding."""
    text = (
        "# 矩阵求导𠀋\n\n"
        "设 $B$ 是 $m\\times n$ 的矩阵，$\\mathbf{x}$ 是 $n$ 维向量，$A$ 为 $n\\times n$ 的矩阵。\n\n"
        "𠀋注意：$\\mathbf{x}^\\top B\\mathbf{x}$ 的维数不匹配。\n\n"
        "梯度𠀋：$\\nabla_{\\mathbf{x}}(\\mathbf{x}^\\top A\\mathbf{x}) = 2A\\mathbf{x}$。\n"
    )
    workspace = Workspace()
    analysis = workspace.analyse(str(tmp_path / "doc.md"), text, {})
    assert analysis.result is not None
    wrong = workspace.wrong_derivatives(analysis.result, seconds=120.0)
    analysis = replace(analysis, derivatives=wrong)
    lines = text.split("\n")
    mismatch = "\\mathbf{x}^\\top B"
    claim = "2A\\mathbf{x}"
    for encoding, count in (("utf-16", _utf16), ("utf-8", lambda s: len(s.encode())),
                            ("utf-32", len)):  # fmt: skip
        sent = diagnostics_json(analysis, encoding)
        by_code = {d["code"]: d["range"] for d in sent}
        assert set(by_code) == {"matmul-mismatch", "wrong-derivative"}, sent
        line = lines[4]
        at = line.index(mismatch)
        assert by_code["matmul-mismatch"] == {
            "start": {"line": 4, "character": count(line[:at])},
            "end": {"line": 4, "character": count(line[: at + len(mismatch)])},
        }
        line = lines[6]
        at = line.index(claim)
        assert by_code["wrong-derivative"]["start"]["line"] == 6
        assert by_code["wrong-derivative"]["end"] == {
            "line": 6, "character": count(line[: at + len(claim)])
        }  # fmt: skip
    assert _utf16(lines[6]) == len(lines[6]) + 1  # (the encodings do differ there)
