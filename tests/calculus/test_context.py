r"""What a checked document says at a place (:mod:`texgrad.calculus.context`), learnt once
per checked document."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from texgrad.calculus import api, context, notation
from texgrad.calculus.lower import Env
from texgrad.shapes.check import Checker, CheckResult
from texgrad.syntax.show import show


def test_what_a_checked_document_teaches_is_learnt_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$, $\\mathbf{x} \\in \\mathbb{R}^n$, "
        "$\\mathbf{b} \\in \\mathbb{R}^m$; $\\operatorname{Tr}(A^T A)$.\n\n"
        "$$ f(\\mathbf{x}) = \\|A \\mathbf{x} - \\mathbf{b}\\|^2 $$\n"
    )
    at = text.index("f(")
    result = Checker().check("doc.md", text=text)
    fresh = {
        p.wrt: api.diff_at("doc.md", text, at, p.wrt) for p in api.plans_at("doc.md", text, at)
    }
    notation._taught.clear()  # (what rows taught is kept per path and row text across checks)
    walks: list[int] = []
    learn = notation.learn_style
    monkeypatch.setattr(
        notation, "learn_style", lambda *a, **k: walks.append(len(a[1])) or learn(*a, **k)
    )
    plans = api.plans_at("doc.md", text, at, result=result)
    outs = {p.wrt: api.diff_at("doc.md", text, at, p.wrt, result=result) for p in plans}
    again = {p.wrt: api.diff_at("doc.md", text, at, p.wrt, result=result) for p in plans}
    assert outs == fresh == again  # the engine's additions to its copy do not leak
    assert outs[r"\mathbf{x}"].result == r"2 A^T (A \mathbf{x} - \mathbf{b})"
    assert all(o.verified for o in outs.values())
    rows = sum(1 for r in result.rows if r.tree is not None)
    # each row of the document once, its row twice more: asked first, its context is
    # handed out itself (a derivative check asks each row once: no copy of every symbol);
    # asked again, learnt again and kept (copies of it from then on)
    assert len(walks) == rows + 2
    row = next(r for r in result.rows if r.start <= at <= r.end)
    assert row.tree is not None
    one, two = context.context_at(result, row), context.context_at(result, row)
    assert one is not two and one.style == two.style and one.env == two.env
    one.style.symbols["x"] = "changed"
    one.env.vars["x"].latex = "changed"
    three = context.context_at(result, row)
    assert three.style.symbols["x"] == three.env.vars["x"].latex == r"\mathbf{x}"
    assert len(walks) == rows + 2
    other = Checker().check("doc.md", text=text + " ")  # another check: learnt afresh,
    api.plans_at("doc.md", text, at, result=other)  # but rows whose text is unchanged
    assert len(walks) == rows + 3  # teach what they taught (by their key): its row only


def test_a_scalar_said_by_a_comparison_is_a_scalar_to_differentiate() -> None:
    text = (
        "Let $\\mathbf{y} \\in \\mathbb{R}^n$, $X \\in \\mathbb{R}^{n \\times p}$ and "
        "$\\beta \\in \\mathbb{R}^p$, with a penalty $\\lambda > 0$.\n\n"
        "$$ R(\\beta) = \\|\\mathbf{y} - X\\beta\\|^2 + \\lambda \\beta^\\top \\beta $$\n"
    )
    at = text.index("R(")
    by_beta = api.diff_at("doc.md", text, at, "\\beta")
    assert by_beta.verified and by_beta.kind == "gradient"
    by_lambda = api.diff_at("doc.md", text, at, "\\lambda")
    assert by_lambda.verified and by_lambda.kind == "derivative"
    assert by_lambda.result in ("\\|\\beta\\|^2", "\\|\\beta\\|_2^2")


SYMMETRIC = "$$ f = \\mathbf{k}^\\top K^{-1} \\mathbf{k} $$\n"


@pytest.mark.parametrize(
    "said",
    [
        "and $K \\in \\mathbb{R}^{n \\times n}$, with $K_{ij} = k(x_i, x_j)$, is symmetric positive definite.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$ be symmetric.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$, with $K \\succ 0$.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$. Here $K$ is a symmetric matrix.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$ with $K = K^\\top$.",
        "The kernel matrix $K \\in \\mathbb{R}^{n \\times n}$ is SPD.",
        "With the symmetric covariance $K \\in \\mathbb{R}^{n \\times n}$ fixed.",
        "We weight by a symmetric positive\ndefinite $K \\in \\mathbb{R}^{n \\times n}$ instead.",
        "Take a precision $K \\in \\mathbb{R}^{n \\times n}$, symmetric positive definite.",
        "Take a kernel matrix $K \\in \\mathbb{R}^{n \\times n}$ (symmetric) and go on.",
        # held-out documents (tests/derivations): slides, GP notes, ARD kernels
        "Let $K \\in \\mathbb{R}^{n \\times n}$ be the symmetric positive semi-definite Gram matrix.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$ be the covariance matrix of the latent values, symmetric positive definite.",
        "With $K \\in \\mathbb{R}^{n \\times n}$ symmetric positive definite and a signal variance,",
        "With a diagonal matrix of positive weights $K \\in \\mathbb{R}^{n \\times n}$ we weight.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$ be diagonal.",
        # a relative clause after the matrix's role (a paper's kernel ridge appendix)
        "Here $K \\in \\mathbb{R}^{n \\times n}$ is the Gram matrix, $K_{ij} = k(x_i, x_j)$, "
        "which is symmetric positive semi-definite.",
        "Here $K \\in \\mathbb{R}^{n \\times n}$ is the kernel matrix, which is symmetric.",
        # a noun of its role between the property and the matrix (a spline's penalty, TD's D)
        "With a symmetric penalty matrix $K \\in \\mathbb{R}^{n \\times n}$ (a spline's),",
        "and a symmetric weighting $K \\in \\mathbb{R}^{n \\times n}$ (the distribution),",
    ],
)
def test_symmetry_the_text_states_is_used(said: str) -> None:
    text = f"{said}\n\nLet $\\mathbf{{k}} \\in \\mathbb{{R}}^n$.\n\n{SYMMETRIC}"
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{k}")
    assert out.verified
    assert out.result == "2 K^{-1} \\mathbf{k}"


@pytest.mark.parametrize(
    "said",
    [
        "If $K \\in \\mathbb{R}^{n \\times n}$ is symmetric, then the gradient is simpler.",
        "For any symmetric $K$ the gradient is simpler. Let $K \\in \\mathbb{R}^{n \\times n}$.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$, symmetric part aside, be any matrix.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$; the diagonal of $K$ is positive.",
        "Take the symmetric part of $K \\in \\mathbb{R}^{n \\times n}$ aside.",
        "Take a diagonal block $K \\in \\mathbb{R}^{n \\times n}$ of a larger matrix.",
    ],
)
def test_a_supposition_of_symmetry_is_not_a_statement(said: str) -> None:
    text = f"{said}\n\nLet $\\mathbf{{k}} \\in \\mathbb{{R}}^n$.\n\n{SYMMETRIC}"
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{k}")
    assert out.verified
    assert out.result == "(K^{-1} + K^{-\\top}) \\mathbf{k}"


@pytest.mark.parametrize(
    "after",
    [
        "where $K \\in \\mathbb{R}^{n \\times n}$ is symmetric positive definite.",
        "where $\\mathbf{k} \\in \\mathbb{R}^n$ and $K \\in \\mathbb{R}^{n \\times n}$ is symmetric.",
        "其中 $\\mathbf{k} \\in \\mathbb{R}^n$，$K \\in \\mathbb{R}^{n \\times n}$ 对称正定。",
        "wobei $K \\in \\mathbb{R}^{n \\times n}$ symmetrisch ist.",
    ],
)
def test_symmetry_said_in_the_where_clause_after_the_row_holds_in_it(after: str) -> None:
    text = f"Let $\\mathbf{{k}} \\in \\mathbb{{R}}^n$.\n\n{SYMMETRIC}\n{after}\n"
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{k}")
    assert out.verified and out.result == "2 K^{-1} \\mathbf{k}"


@pytest.mark.parametrize(
    "after",
    [
        "where $K \\in \\mathbb{R}^{n \\times n}$ is not symmetric.",
        "If $K \\in \\mathbb{R}^{n \\times n}$ is symmetric, this halves.",
        "Here $K \\in \\mathbb{R}^{n \\times n}$. Later $K$ is symmetric.",
        "Let $K \\in \\mathbb{R}^{n \\times n}$.\n\nwhere $K$ is symmetric.",
    ],
)
def test_symmetry_said_later_but_not_of_the_row_is_not_used(after: str) -> None:
    text = f"Let $\\mathbf{{k}} \\in \\mathbb{{R}}^n$.\n\n{SYMMETRIC}\n{after}\n"
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{k}")
    assert out.verified and out.result == "(K^{-1} + K^{-\\top}) \\mathbf{k}"


def test_a_supposition_of_symmetry_holds_to_the_end_of_its_sentence() -> None:
    said = "If $K \\in \\mathbb{R}^{n \\times n}$ is symmetric, then for $\\mathbf{k} \\in \\mathbb{R}^n$"
    text = f"{said}\n\n{SYMMETRIC}\nand not the general form.\n\n$$ g = \\mathbf{{k}}^\\top K^{{-1}} \\mathbf{{k}} $$\n"
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{k}")
    assert out.verified and out.result == "2 K^{-1} \\mathbf{k}"
    later = api.diff_at("doc.md", text, text.index("g ="), "\\mathbf{k}")
    assert later.verified and later.result == "(K^{-1} + K^{-\\top}) \\mathbf{k}"


def test_symmetry_holds_for_the_declaration_it_was_said_of() -> None:
    text = (
        "## Model\n\nLet $K \\in \\mathbb{R}^{n \\times n}$ be symmetric and "
        "$\\mathbf{k} \\in \\mathbb{R}^n$.\n\n## Example\n\n"
        "Now take a general $K \\in \\mathbb{R}^{n \\times n}$.\n\n" + SYMMETRIC
    )
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{k}")
    assert out.result == "(K^{-1} + K^{-\\top}) \\mathbf{k}"


@pytest.mark.parametrize(
    ("said", "var"),
    [
        ("With a noise variance $\\sigma_n^2$ the targets are noisy.", "\\sigma_n"),
        ("Take a learning rate $\\eta$ and an iterate.", "\\eta"),
        ("with scale $\\gamma$ and shift $\\beta$ (scalars).", "\\beta"),
        ("For a scalar target $t$ the loss is", "t"),
        ("For a single example with label $s$ (a scalar),", "s"),
        ("For a barrier weight $t > 0$ the central path is", "t"),
        ("and let $\\sigma_n^2$ be the noise variance.", "\\sigma_n"),
        ("with a multiplier $\\lambda$:", "\\lambda"),
    ],
)
def test_a_scalar_named_by_its_role_is_a_scalar(said: str, var: str) -> None:
    text = (
        f"Let $A \\in \\mathbb{{R}}^{{n \\times n}}$ and $\\mathbf{{y}} \\in \\mathbb{{R}}^n$. {said}\n\n"
        f"$$ f = \\mathbf{{y}}^\\top (A + {var}^2 I_n) \\mathbf{{y}} $$\n"
    )
    out = api.diff_at("doc.md", text, text.index("f ="), var)
    assert out.verified and out.kind == "derivative", out.error
    assert out.result == f"2 {var} \\|\\mathbf{{y}}\\|_2^2"


def test_labels_in_a_set_of_numbers_are_numbers_of_a_family() -> None:
    text = (
        "Inputs $\\mathbf{x}_i \\in \\mathbb{R}^d$ with labels $t_i \\in \\{-1, 1\\}$, "
        "$i = 1, \\dots, B$, and $\\mathbf{w} \\in \\mathbb{R}^d$.\n\n"
        "$$ J = \\sum_{i=1}^B \\log(1 + \\exp(-t_i \\mathbf{w}^\\top \\mathbf{x}_i)) $$\n"
    )
    out = api.diff_at("doc.md", text, text.index("J ="), "\\mathbf{w}")
    assert out.verified and out.kind == "gradient", out.error
    assert "t_i" in out.result and "\\sum_{i=1}^B" in out.result


def test_a_scalar_of_multiples_is_not_made_a_scalar() -> None:
    text = "Let $\\mathbf{w} \\in \\mathbb{R}^n$, a scalar multiple of $z$.\n\n$$ f = z^\\top \\mathbf{w} $$\n"
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{w}")
    assert out.error is not None and "z" in out.error


def test_a_bold_letter_named_by_a_role_is_not_made_a_scalar() -> None:
    text = "Let $\\mathbf{w} \\in \\mathbb{R}^n$, a margin $\\mathbf{m}$.\n\n$$ f = \\mathbf{m}^\\top \\mathbf{w} $$\n"
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{w}")
    assert out.error is not None and "\\mathbf{m}" in out.error


def test_a_quantity_named_in_upright_letters_is_a_definition() -> None:
    text = (
        "Let $\\mathbf{s} \\in \\mathbb{R}^k$, $V \\in \\mathbb{R}^{D \\times k}$, "
        "$\\mathbf{x} \\in \\mathbb{R}^D$ and $\\beta > 0$.\n\n"
        "$$ \\mathrm{KL} = \\frac{1}{2}\\mathbf{1}^\\top (\\exp(\\mathbf{s}) - \\mathbf{s}) $$\n\n"
        "$$ R = \\frac{1}{2}\\|V\\mathbf{s} - \\mathbf{x}\\|^2 + \\beta \\, \\mathrm{KL} $$\n"
    )
    at = text.index("R =")
    out = api.diff_at("doc.md", text, at, "\\mathbf{s}")
    assert out.verified, out.error
    assert out.result == (
        "V^\\top (V \\mathbf{s} - \\mathbf{x}) + \\frac{\\beta}{2} \\exp(\\mathbf{s})"
        " - \\frac{\\beta}{2} \\mathbf{1}"
    ), out.result


_UPRIGHT = (
    "Let $\\mathbf{s} \\in \\mathbb{R}^k$, $V \\in \\mathbb{R}^{D \\times k}$, "
    "$\\mathbf{x} \\in \\mathbb{R}^D$ and $\\beta > 0$.\n\n"
    "$$ \\mathrm{KL} = \\frac{1}{2}\\mathbf{1}^\\top (\\exp(\\mathbf{s}) - \\mathbf{s}) $$\n\n"
    "$$ R = \\frac{1}{2}\\|V\\mathbf{s} - \\mathbf{x}\\|^2 + \\beta \\, \\mathrm{KL} $$\n"
)


def test_a_quantity_named_in_upright_letters_is_printed_as_written() -> None:
    out = api.diff_at("doc.md", _UPRIGHT, _UPRIGHT.index("R ="), "\\beta")
    assert out.verified, out.error
    assert out.result == "\\mathrm{KL}"
    assert out.differential == "\\mathrm{KL} \\mathrm{d}\\beta"
    # read back, and the formula as written evaluated independently (evaluate_tree)
    assert "not read back" not in out.note and "not evaluated" not in out.note, out.note


def test_names_in_words_and_operator_names_are_definitions() -> None:
    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$, $\\mathbf{w} \\in \\mathbb{R}^n$, "
        "$\\mathbf{b} \\in \\mathbb{R}^m$ and $\\lambda > 0$.\n\n"
        "$$ \\text{loss} = \\|A\\mathbf{w} - \\mathbf{b}\\|^2 $$\n\n"
        "$$ \\operatorname{MSE} = \\frac{1}{m}\\|A\\mathbf{w} - \\mathbf{b}\\|^2 $$\n\n"
        "$$ J = \\text{loss} + \\lambda\\operatorname{MSE} $$\n"
    )
    at = text.index("J =")
    out = api.diff_at("doc.md", text, at, "\\lambda")
    assert out.verified, out.error
    assert out.result == "\\operatorname{MSE}"
    assert "not evaluated" not in out.note, out.note
    out = api.diff_at("doc.md", text, at, "\\mathbf{w}")
    assert out.verified, out.error
    assert "not evaluated" not in out.note, out.note
    # 2A^T(Aw - b)(1 + λ/m), checked numerically by the verifier; the words are read
    assert "A^\\top (A \\mathbf{w} - \\mathbf{b})" in out.result, out.result


def test_a_letter_whose_family_is_declared_is_a_vector_like_its_members() -> None:
    text = (
        "The labels are one-hot vectors $\\mathbf{y}_i \\in \\mathbb{R}^K$, and the logits are "
        "$\\mathbf{z} \\in \\mathbb{R}^K$. For one label $\\mathbf{y}$,\n\n"
        "$$ f = \\log(\\mathbf{1}^\\top \\exp(\\mathbf{z})) - \\mathbf{y}^\\top \\mathbf{z} $$\n"
    )
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{z}")
    assert out.verified and out.kind == "gradient", out.error
    assert out.result == "\\operatorname{softmax}(\\mathbf{z}) - \\mathbf{y}"


def test_a_family_of_two_shapes_sizes_no_letter() -> None:
    text = (
        "Take $\\mathbf{b}_1 \\in \\mathbb{R}^h$, $\\mathbf{b}_2 \\in \\mathbb{R}^k$ and "
        "$\\mathbf{z} \\in \\mathbb{R}^k$.\n\n$$ f = \\mathbf{b}^\\top \\mathbf{z} $$\n"
    )
    out = api.diff_at("doc.md", text, text.index("f ="), "\\mathbf{z}")
    assert out.error is not None and "\\mathbf{b}" in out.error


# -- the definitions of a document, read once for every row's context ----------------------


def _functions_row_by_row(result: CheckResult, offset: int) -> list[tuple[str, object, str]]:
    """The definitions in force at ``offset`` as they were read before they were learnt once
    per document: every row before it read in turn, the "where" rows right after it, then
    the functions later rows define (the first wins)."""
    declared = set(result.table.declarations) | context._dimension_letters(result)
    not_yet = context._declared_later(result)
    env = Env()
    later = []
    for row in result.rows:
        tree = row.tree_as_parsed
        if tree is None:
            continue
        here = context.declared_at(result, declared, not_yet, row, tree)
        if row.start > offset:
            later.append((tree, here))
            continue
        context._definitions(tree, env, here)
    own = [r for r in result.rows if r.path == result.path]
    at = next((i for i, r in enumerate(own) if r.start <= offset <= r.end), None)
    if at is not None:
        end = own[at].end
        for i, row in enumerate(own[at + 1 :]):
            words = context._strip_math_marks(result.doc.text[end : row.start])
            where = context._WHERE.search(words) and len(words) < 80
            if not (where if i == 0 else context._AND.match(words)) or row.tree is None:
                break
            context._definitions(row.tree, env, declared)
            end = row.end
    for tree, here in later:
        alone = Env()
        context._definitions(tree, alone, here)
        for key, fdef in alone.functions.items():
            if fdef.params:
                env.functions.setdefault(key, fdef)
    return [(k, f.params, show(f.body)) for k, f in env.functions.items()]


DEFINITIONS = r"""Let $x \in \mathbb{R}^n$ and $A \in \mathbb{R}^{n \times n}$.

$$ f(x) = \phi(Ax) $$

where $r = Ax - b$, and $s = r^\top r$.

$$ g(x) = x^\top x, \qquad \sigma^2 = s / n $$

$$ f(x) = \|x\|^2 $$

$$ \phi(z) = \max(0, z) $$

$$ g(x) = 2 x^\top A x \qquad r = x $$

$$ \psi(t) = t^2 $$
"""


@pytest.mark.parametrize("name", ["inline", "d2l-en/backprop.md"])
def test_the_definitions_learnt_once_are_those_read_row_by_row(name: str, corpus: Path) -> None:
    if name == "inline":
        result = Checker().check("doc.md", text=DEFINITIONS)
    else:
        path = corpus / name
        result = Checker().check(str(path), None, path.parent)
    rows = [r for r in result.rows if r.tree is not None]
    assert len(rows) >= 8
    for row in rows:
        ctx = context.context_at(result, row)
        got = [(k, f.params, show(f.body)) for k, f in ctx.env.functions.items()]
        assert got == _functions_row_by_row(result, row.start), row
    if name == "inline":  # a later redefinition replaces a function; a name keeps its first
        text = result.doc.text
        first = next(r for r in rows if text.startswith("f(x) = \\phi", r.start))
        functions = context.context_at(result, first).env.functions
        assert show(functions["f"].body) == "(Apply \\phi (Product A x))"
        assert {"\\phi", "\\psi", "r", "s"} <= set(functions)  # φ, ψ later; r, s "where"
        last = context.context_at(result, rows[-1]).env.functions
        assert show(last["f"].body) != show(functions["f"].body)  # f(x) = ‖x‖² replaced it
        assert show(last["r"].body) == show(functions["r"].body)  # r = x did not replace r


def test_the_rows_of_a_document_are_read_for_definitions_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = Checker().check("doc.md", text=DEFINITIONS)
    read: list[object] = []
    steps = context._definition_steps
    monkeypatch.setattr(context, "_definition_steps", lambda *a: read.append(a[0]) or steps(*a))
    rows = [r for r in result.rows if r.tree is not None]
    for row in rows:
        context.context_at(result, row)
    before_where = len(read)
    assert before_where <= 3 * len(rows)  # each row twice (before, later), "where" rows once more
    for row in rows:  # asked again: nothing read again
        context.context_of(result, row.start, [row.tree])  # type: ignore[list-item]
    assert len(read) - before_where <= len(rows)  # only the "where" rows after each


def test_what_the_prose_states_is_read_without_moving_the_rows_an_edit_moved() -> None:
    """After an edit before them, rows keep their trees unmoved until a tree is asked for
    (issue 17: moving every tree of the Cookbook took a hover ~0.3 s); what the prose says
    of them is the same as a fresh check's."""
    from texgrad.shapes.properties import stated_properties, stated_scalars

    text = (
        "Let $K \\in \\mathbb{R}^{n \\times n}$ be symmetric positive definite, with a noise "
        "variance $\\sigma_n^2$.\n\n$$ P = P^\\top $$\n\n$$ \\Sigma \\succ 0 $$\n\n" + SYMMETRIC
    )
    checker = Checker()
    checker.check("doc.md", text=text)
    edited = "Notes. " + text
    moved = checker.check("doc.md", text=edited)
    fresh = Checker().check("doc.md", text=edited)
    rows = [r for r in moved.rows if r.path == moved.path]
    before = [r.shift for r in rows]
    assert 7 in before  # (rows reused from the first check, not moved yet)
    props = stated_properties(edited, rows)
    scalars = stated_scalars(edited, rows)
    assert [r.shift for r in rows] == before  # still not moved
    fresh_rows = [r for r in fresh.rows if r.path == fresh.path]
    assert props == stated_properties(edited, fresh_rows)
    assert scalars == stated_scalars(edited, fresh_rows)
    assert {(s.key, s.positive_definite) for s in props} >= {
        ("K", True),
        ("P", False),
        ("\\Sigma", True),
    }
    assert [k for k, _ in scalars] == ["\\sigma_{n}"]


def test_written_derivatives_are_found_without_moving_rows_that_write_none() -> None:
    """After an edit before them, the written derivatives found are a fresh check's, and a
    row that writes no derivative keeps its tree unmoved (issue 17: moving them all cost
    the derivative check after each edit of the Cookbook a third of its time)."""
    from texgrad.calculus.written_derivatives import written_derivatives

    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf{x} \\in \\mathbb{R}^n$, "
        "$d$ the dimension.\n\n$$ f(\\mathbf{x}) = \\mathbf{x}^\\top A \\mathbf{x} $$\n\n"
        "$$ \\nabla f(\\mathbf{x}) = (A + A^\\top) \\mathbf{x} $$\n\n"
        "$$ \\mathrm{d} f = \\mathbf{x}^\\top (A + A^\\top) \\, \\mathrm{d}\\mathbf{x} $$\n\n"
        "$$ g = \\operatorname{tr}(A) $$\n\n"
        "\\begin{align}\n\\frac{\\partial g}{\\partial A} &= I \\\\\n&= I^\\top\n\\end{align}\n"
    )
    checker = Checker()
    checker.check("doc.md", text=text)
    moved = checker.check("doc.md", text="Notes. " + text)
    fresh = Checker().check("doc.md", text="Notes. " + text)
    rows = [r for r in moved.rows if r.path == moved.path]
    plain = [r for r in rows if r.shift and r.start < moved.doc.text.index("f(")]
    assert len(plain) == 3  # (A ∈ …, x ∈ …, d: reused from the first check, not moved yet)

    def said(result: CheckResult) -> list[tuple[int, int, str, str]]:
        return [
            (c.start, c.end, show(c.derivative), show(c.claimed))
            for c in written_derivatives(result)
        ]

    found = said(moved)
    assert found == said(fresh)
    assert len(found) >= 4  # ∇f, d f, ∂g/∂A and the row continuing it
    assert all(r.shift for r in plain)  # still not moved


def test_the_contexts_a_derivative_check_learnt_are_let_go_and_learnt_again_alike() -> None:
    from texgrad.workspace import Workspace

    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ be symmetric and $x \\in \\mathbb{R}^n$.\n\n"
        "Then $\\frac{\\partial x^\\top A x}{\\partial x} = 2 A x$.\n"
    )
    ws = Workspace()
    result = ws.analyse("doc.md", text, {})
    assert result.result is not None
    checked = result.result
    row = next(r for r in checked.rows if "partial" in text[r.start : r.end])
    before = context.context_at(checked, row)  # (as the check learns it)
    assert ws.wrong_derivatives(checked) == []  # (2Ax: right, A being symmetric)
    assert context._learnt_of(checked).contexts == {}  # let go once the check is done
    again = context.context_at(checked, row)
    assert again.env.vars == before.env.vars and again.env.vars["A"].symmetric
    assert context._learnt_of(checked).contexts  # (learnt again, for the next question)


def test_a_letter_written_bold_takes_the_bold_declaration_in_force() -> None:
    # a plain v declared for the whole text, a bold v in this section: the rows write the
    # bold one, so the derivative uses its shape (N), as the shape check does — not k
    text = (
        "Throughout, $v \\in \\mathbb{R}^{k}$ is a plain vector.\n\n"
        "## Least squares\n\n"
        "Let $\\mathbf{v} \\in \\mathbb{R}^{N}$, $\\mathbf{x} \\in \\mathbb{R}^{p}$ and "
        "$C \\in \\mathbb{R}^{N \\times p}$.\n\n"
        "$$ f(\\mathbf{x}) = \\frac{1}{2}\\|C \\mathbf{x} - \\mathbf{v}\\|^2 $$\n"
    )
    at = text.index("f(")
    out = api.diff_at("doc.md", text, at, r"\mathbf{x}")
    assert out.verified, out
    assert out.result == r"C^\top (C \mathbf{x} - \mathbf{v})"


def test_a_symbol_the_row_does_not_write_is_spelled_as_declared() -> None:
    r"""A plain ``y`` in the prose ("a target $y$") before ``\mathbf y \in \mathbb{R}^N``:
    the matrix form of a sum over samples, which writes y though the row does not, spells it
    ``\mathbf y`` as the declaration does (the row's own spellings stay the row's)."""
    from texgrad.calculus.api import diff_in_document

    text = (
        "Each sample has a target $y$. We observe $N$ samples $\\mathbf x_i \\in \\mathbb{R}^d$"
        " with targets $y_i$. The design matrix $X \\in \\mathbb{R}^{N \\times d}$ stacks the "
        "$\\mathbf x_i^\\top$ as rows and $\\mathbf y \\in \\mathbb{R}^N$ collects the targets; "
        "$\\mathbf w \\in \\mathbb{R}^d$.\n\n"
        "$$\nL(\\mathbf w) = \\sum_{i=1}^N (\\mathbf w^\\top \\mathbf x_i - y_i)^2\n$$\n"
    )
    out = diff_in_document("doc.md", 4, r"\mathbf w", text=text)
    assert out.verified, out.error or out.note
    assert out.result == r"\sum_{i=1}^N 2 (\mathbf w^\top \mathbf x_i - y_i) \mathbf x_i"
    assert out.matrix_form == r"2 X^\top (X \mathbf w - \mathbf y)"


def test_a_plain_letter_defined_before_a_bold_one_is_declared_keeps_its_definition() -> None:
    r"""``\mu = \frac1m\mathbf 1^\top\mathbf u`` (a batch mean) before a later section's
    ``\boldsymbol\mu \in \mathbb{R}^J`` (a VAE's means): at the batch rows μ is the mean,
    not a J-vector ("cannot add a m×1 and a J" before); the gradient is the textbook's,
    checked by central differences with m ≠ J."""
    from texgrad.calculus.api import diff_in_document

    text = (
        "One feature over a batch is $\\mathbf{u} \\in \\mathbb{R}^{m}$.\n\n"
        "$$\n\\mu = \\frac{1}{m}\\mathbf{1}^\\top\\mathbf{u}\n$$\n\n"
        "$$\nv = \\frac{1}{m}\\|\\mathbf{u} - \\mu\\mathbf{1}\\|^2\n$$\n\n"
        "The encoder outputs a mean $\\boldsymbol{\\mu} \\in \\mathbb{R}^{J}$.\n"
    )
    out = diff_in_document("doc.md", 8, r"\mathbf{u}", text=text)
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == r"\frac{2 (\mathbf{u} - \mu \mathbf{1})}{m}"


LETTERS_REUSED = r"""
## One

Let $K \in \mathbb{R}^{n \times n}$ be symmetric positive definite, $\mathbf{x} \in
\mathbb{R}^{n}$ and $y \in \mathbb{R}^{m}$; labels $\mathbf{z} \in \{0, 1\}^{n}$.

$$ f(\mathbf{x}) = \mathbf{x}^\top K \mathbf{x} + \mathbf{z}^\top \mathbf{x} $$

## Two

Now $K \in \mathbb{R}^{p \times q}$, $\mathbf{y} \in \mathbb{R}^{p}$ and $\mathbf{x} \in
\mathbb{R}^{q}$.

$$ g(\mathbf{x}) = \|K \mathbf{x} - \mathbf{y}\|^2 $$

## Three

$$ h(\mathbf{x}) = \mathbf{x}^\top \mathbf{x} $$
"""


def _eager(result: CheckResult, row_start: int, key: str, font: str | None) -> tuple:
    """What a context said of a declared symbol when each was looked up as it was learnt:
    the declaration in force (in the row's font, if it writes one), else the first."""
    decl = result.table.lookup(key, None, result.path, row_start)
    if font is not None and decl is not None and decl.font != font:
        decl = result.table.lookup(key, font, result.path, row_start) or decl
    if decl is None:
        decl = result.table.declarations[key][0]
    return (decl.shape, decl.symmetric, decl.positive_definite, decl.values)


def test_a_contexts_symbols_read_first_say_what_their_declaration_in_force_says() -> None:
    # (each declared symbol's declaration is looked up when a field is first read: no
    # field may read a default before that — K's symmetry, z's 0/1 values, y's shape)
    from texgrad.calculus.sympy_dims import sympy_shape

    result = Checker().check("doc.md", text=LETTERS_REUSED)
    rows = [r for r in result.rows if r.tree is not None and r.tree_as_parsed is not None]
    assert len(rows) >= 3
    seen_symmetric = seen_values = 0
    for row in rows:
        fonts = context._fonts_written([row.tree])
        for field in ("symmetric", "values", "shape", "positive_definite"):
            ctx = context.context_of(result, row.start, [row.tree])  # (fresh: none read yet)
            for key in result.table.declarations:
                if key not in ctx.env.vars:
                    continue
                shape, symmetric, definite, values = _eager(result, row.start, key, fonts.get(key))
                got = getattr(ctx.env.vars[key], field)
                want = {"symmetric": symmetric, "values": values, "shape": sympy_shape(shape),
                        "positive_definite": definite}[field]  # fmt: skip
                if field in ("symmetric", "positive_definite") and key == "K":
                    want = want or got  # (the prose's "symmetric …" may add to the declaration)
                assert got == want, (row.start, key, field)
                seen_symmetric += field == "symmetric" and got is True
                seen_values += field == "values" and got == (0.0, 1.0)
    assert seen_symmetric and seen_values  # (the declarations that say more were read)
    f, g = (next(r for r in rows if result.doc.text.startswith(h, r.start)) for h in "fg")
    first = context.context_of(result, f.start, [f.tree]).env.vars
    later = context.context_of(result, g.start, [g.tree]).env.vars
    assert first["K"].symmetric and first["K"].positive_definite
    assert str(later["K"].shape.rows) == "p" and not later["K"].symmetric


def test_a_contexts_symbols_copy_compare_and_pickle_as_plain_ones() -> None:
    import copy
    import pickle
    from dataclasses import replace

    from texgrad.calculus.lower import VarInfo

    result = Checker().check("doc.md", text=LETTERS_REUSED)
    row = next(r for r in result.rows if r.tree is not None)
    ctx = context.context_at(result, row)
    info = ctx.env.vars["K"]
    plain = VarInfo(info.key, info.shape, info.latex, info.symmetric, info.positive_definite,
                    info.positive, info.values)  # fmt: skip
    fresh = context.context_at(result, row).env.vars["K"]  # (a copy, none of it read yet)
    assert fresh == plain and plain == fresh and repr(fresh) == repr(plain)
    assert pickle.loads(pickle.dumps(fresh)) == plain
    assert type(pickle.loads(pickle.dumps(fresh))) is VarInfo
    assert copy.copy(fresh) == plain
    made = replace(context.context_at(result, row).env.vars["K"], symmetric=False)
    assert made == replace(plain, symmetric=False) and made.shape == plain.shape
    changed = context.context_at(result, row).env.vars["K"]
    changed.latex = "\\mathcal{K}"  # (a copy's change is its own)
    assert context.context_at(result, row).env.vars["K"].latex == plain.latex


REDEFINED = r"""The data are $X \in \mathbb{R}^{N \times d}$, $\mathbf y \in \mathbb{R}^N$,
weights $\mathbf w \in \mathbb{R}^d$ and a weight matrix $\Omega \in \mathbb{S}^N_{++}$. Let
$\mathbf r = X\mathbf w - \mathbf y$ and

$$
L = \mathbf r^\top\mathbf r
$$

$$
E = \frac{1}{2}L
$$

We now replace $L$ by the weighted loss

$$
L = \mathbf r^\top\Omega\mathbf r
$$

$$
E = \frac{1}{2}L
$$

For $\mu = 0$ and $L = L + \mu$ nothing changes:

$$
E = \frac{1}{2}L
$$
"""


def test_a_name_redefined_later_means_the_later_definition_where_it_stands() -> None:
    r""" "We now replace $L$ by $L = \mathbf r^\top\Omega\mathbf r$": rows after it use the
    new L, rows before it the first; a bare value (``\mu = 0``) or an update writing the name
    itself (``L = L + \mu``) replaces nothing.  Each textbook form is checked here against
    central differences of the loss it stands for, N ≠ d."""
    from tests.calculus.problem_numerics import central_gradient
    from texgrad.calculus.api import diff_in_document

    lines = REDEFINED.split("\n")
    rows = [n for n, line in enumerate(lines, 1) if line == r"E = \frac{1}{2}L"]
    results = []
    for row in rows:
        out = diff_in_document("doc.md", row, r"\mathbf w", text=REDEFINED)
        assert out.error is None and out.verified, out.error or out.note
        results.append(out.result)
    assert results == [r"X^\top \mathbf r", r"X^\top \Omega \mathbf r", r"X^\top \Omega \mathbf r"]
    rng = np.random.default_rng(3)
    n, d = 6, 4
    X, y, w = rng.standard_normal((n, d)), rng.standard_normal((n, 1)), rng.standard_normal((d, 1))
    m = rng.standard_normal((n, n))
    omega = m @ m.T + n * np.eye(n)
    r = X @ w - y
    plain = central_gradient(lambda v: 0.5 * float(((X @ v - y) ** 2).sum()), w)
    weighted = central_gradient(lambda v: 0.5 * ((X @ v - y).T @ omega @ (X @ v - y)).item(), w)
    assert np.allclose(X.T @ r, plain, atol=1e-6)
    assert np.allclose(X.T @ omega @ r, weighted, atol=1e-6)
    assert not np.allclose(plain, weighted, atol=1e-3)  # (the two meanings differ)


def test_a_bold_name_defined_after_a_plain_function_of_its_letter_is_its_own() -> None:
    r"""A cost ``c(F) = …`` then a centred vector ``\bm c = \bm h - …`` (a poster's two
    blocks): rows after it read the bold c as the vector, not the function of F ("the shape
    of `\bm{c}` is unknown" before); checked against central differences, d ≠ n."""
    from tests.calculus.problem_numerics import central_gradient
    from texgrad.calculus.api import diff_in_document

    text = (
        "With $F \\in \\mathbb{R}^{p \\times n}$, $\\bm x \\in \\mathbb{R}^n$ and "
        "$Q \\in \\mathbb{R}^{n \\times n}$,\n\\[\n  c(F) = \\bm x^\\top F^\\top F\\bm x\n\\]\n"
        "For $\\bm h \\in \\mathbb{R}^d$ and $\\bm g \\in \\mathbb{R}^d$ let\n"
        "\\[\n  \\bm c = \\bm h - \\frac{1}{d}\\bm 1\\bm 1^\\top\\bm h\n\\]\n"
        "\\[\n  \\ell = \\bm g^\\top\\bm c\n\\]\n"
    )
    line = text.split("\n").index("  \\ell = \\bm g^\\top\\bm c") + 1
    out = diff_in_document("doc.tex", line, r"\bm h", text=text)
    assert out.error is None and out.verified, out.error or out.note
    assert out.result == r"\bm g - \frac{\mathbf{1} \mathbf{1}^\top \bm g}{d}"
    d = 5
    g = np.random.default_rng(4).standard_normal((d, 1))
    h = np.random.default_rng(5).standard_normal((d, 1))
    centre = np.eye(d) - np.ones((d, d)) / d
    want = central_gradient(lambda v: (g.T @ centre @ v).item(), h)
    assert np.allclose(g - np.ones((d, d)) @ g / d, want, atol=1e-6)


VAE = (
    "Let $W \\in \\mathbb{{R}}^{{d \\times m}}$, $\\mathbf{{h}} \\in \\mathbb{{R}}^m$, "
    "$\\boldsymbol{{\\epsilon}} \\in \\mathbb{{R}}^d$, $D \\in \\mathbb{{R}}^{{p \\times d}}$ and "
    "$\\mathbf{{x}} \\in \\mathbb{{R}}^p$, with the standard deviations "
    "{sigma}.\n\n"
    "$$ R = \\frac{{1}}{{2}}\\|\\mathbf{{x}} - D(\\boldsymbol{{\\sigma}} \\odot "
    "\\boldsymbol{{\\epsilon}})\\|^2 $$\n"
)


@pytest.mark.parametrize(
    "sigma",
    [
        "$\\boldsymbol{\\sigma} = \\exp(\\frac{1}{2}W\\mathbf{h}) \\in \\mathbb{R}^d$",
        "$\\boldsymbol{\\sigma} = \\exp(\\frac{1}{2}W\\mathbf{h})$",
    ],
)
def test_a_letter_defined_and_sized_in_one_row_is_defined(sigma: str) -> None:
    r"""``\sigma = \exp(…) \in \mathbb{R}^d`` defines σ (the row's own ``\in`` sizes it):
    the loss depends on W through σ; the gradient agrees with central differences
    (d = 3, m = 4, p = 5)."""
    text = VAE.format(sigma=sigma)
    out = api.diff_at("doc.md", text, text.index("R ="), "W")
    assert out.verified, out.error or out.note
    rng = np.random.default_rng(7)
    W, h = rng.standard_normal((3, 4)), rng.standard_normal(4)
    eps, D, x = rng.standard_normal(3), rng.standard_normal((5, 3)), rng.standard_normal(5)

    def loss(w: np.ndarray) -> float:
        return 0.5 * float(np.sum((x - D @ (np.exp(w @ h / 2) * eps)) ** 2))

    s = np.exp(W @ h / 2)
    said = -0.5 * np.outer((D.T @ (x - D @ (s * eps))) * eps * s, h)  # the result's formula
    assert "\\mathbf{h}^\\top" in out.result and "\\odot" in out.result
    step, fd = 1e-6, np.zeros_like(W)
    for i in range(3):
        for j in range(4):
            bump = np.zeros_like(W)
            bump[i, j] = step
            fd[i, j] = (loss(W + bump) - loss(W - bump)) / (2 * step)
    assert np.allclose(said, fd, atol=1e-6)


def test_a_declared_letter_a_model_row_equates_is_not_defined_by_it() -> None:
    r"""``\mathbf{y} = X\beta + \epsilon \in \mathbb{R}^n`` of data y declared before states a
    model: the least-squares gradient keeps y (no ε in it); a vector written of its own
    entries, ``\mathbf{x} = (x_1, \dots, x_n)^\top \in \mathbb{R}^n``, is no definition."""
    text = (
        "Let $X \\in \\mathbb{R}^{n \\times p}$, $\\mathbf{y} \\in \\mathbb{R}^n$ and "
        "$\\boldsymbol{\\beta} \\in \\mathbb{R}^p$. The model is "
        "$\\mathbf{y} = X\\boldsymbol{\\beta} + \\boldsymbol{\\epsilon} \\in \\mathbb{R}^n$.\n\n"
        "$$ L = \\|\\mathbf{y} - X\\boldsymbol{\\beta}\\|^2 $$\n\n"
        "Write $\\mathbf{z} = (z_1, \\dots, z_n)^\\top \\in \\mathbb{R}^n$.\n\n"
        "$$ g = \\|\\mathbf{z}\\|^2 $$\n"
    )
    out = api.diff_at("doc.md", text, text.index("L ="), "\\boldsymbol{\\beta}")
    assert out.verified and "\\epsilon" not in out.result
    assert out.result == "2 X^\\top (X \\boldsymbol{\\beta} - \\mathbf{y})"
    by_z = api.diff_at("doc.md", text, text.index("g ="), "\\mathbf{z}")
    assert by_z.verified and by_z.result == "2 \\mathbf{z}"
