r"""A loss the document never defines, checked through the upstream gradient it names
(calculus/written_upstream.py): ``\frac{\partial L}{\partial W} = \mathbf g \mathbf x^\top``
where ``\mathbf g = \partial L/\partial \mathbf y`` and ``\mathbf y = W\mathbf x`` — right
claims verified, slips the loss cannot explain (a factor, the sign, the order) reported, a
term the loss may hold besides (a weight decay told in words) never."""

from __future__ import annotations

import pytest

from texgrad.calculus.written_derivatives import Tally, _unbraced, check_written
from texgrad.calculus.written_upstream import upstreams
from texgrad.shapes.check import Checker

LAYER = (
    "Let $W \\in \\mathbb{R}^{m \\times n}$, $\\mathbf x \\in \\mathbb{R}^n$ and "
    "$\\mathbf y = W\\mathbf x$. Let $\\mathbf g = \\partial L / \\partial \\mathbf y \\in "
    "\\mathbb{R}^m$ be the upstream gradient of a scalar loss $L$.\n\n"
)
HEAD = (
    "Let $P, V \\in \\mathbb{R}^{k \\times k}$, $O = PV$ and "
    "$G = \\frac{\\partial L}{\\partial O}$.\n\n"
)


def _judged(text: str) -> tuple[list[str], Tally]:
    tally = Tally()
    checked = Checker().check("doc.md", text=text)
    # (a claim's own budget generous: the first claims of a fresh test process pay for lazy
    # imports and caches, and one cut off there is undecided — seen once in CI as 21 of 22)
    found = check_written(checked, seconds=120.0, per_equation=30.0, tally=tally)
    return [text[f.start : f.end] for f in found], tally


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("\\frac{\\partial L}{\\partial W} = \\mathbf g \\mathbf x^\\top", False),
        ("\\frac{\\partial L}{\\partial \\mathbf x} = W^\\top \\mathbf g", False),
        ("\\nabla_{\\mathbf x} L = W^\\top \\mathbf g", False),
        ("\\frac{\\partial L}{\\partial \\mathbf x} = \\mathbf g^\\top W", False),  # a row
        ("\\frac{\\partial L}{\\partial W} = 2\\mathbf g \\mathbf x^\\top", True),
        ("\\frac{\\partial L}{\\partial \\mathbf x} = -W^\\top \\mathbf g", True),
    ],
)
def test_a_linear_layer(claim: str, wrong: bool) -> None:
    found, tally = _judged(LAYER + f"$${claim}$$\n")
    assert found == ([claim.split(" = ")[1]] if wrong else [])
    assert (tally.verified, tally.flagged) == ((0, 1) if wrong else (1, 0))


def test_the_message_says_what_the_loss_is_taken_through() -> None:
    text = LAYER + "$$\\frac{\\partial L}{\\partial W} = 2\\mathbf g \\mathbf x^\\top$$\n"
    (finding,) = check_written(Checker().check("doc.md", text=text), seconds=60.0)
    assert finding.correct == "\\mathbf g \\mathbf x^\\top"
    assert "a factor 2 too many" in finding.message
    assert finding.message.endswith(
        "; `L` is taken through `\\mathbf{g}`, its gradient by `\\mathbf{y}`"
    )


def test_a_term_the_loss_may_hold_besides_is_never_reported() -> None:
    r"""A weight decay said in words: ``+ \lambda W`` is right for that loss; through
    ``\mathbf g`` alone it is an extra term, which no reading can tell from a slip."""
    text = (
        LAYER + "With weight decay the loss also holds $\\frac{\\lambda}{2}\\|W\\|_F^2$, "
        "$\\lambda > 0$, and\n\n"
        "$$\\frac{\\partial L}{\\partial W} = \\mathbf g \\mathbf x^\\top + \\lambda W$$\n"
    )
    found, tally = _judged(text)
    assert found == [] and tally.verified == 0 and tally.read == 1


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("\\frac{\\partial L}{\\partial V} = P^\\top G", False),
        ("\\frac{\\partial L}{\\partial P} = G V^\\top", False),
        # G of numerator layout (the transpose: the shapes of a square O do not decide)
        ("\\frac{\\partial L}{\\partial V} = P^\\top G^\\top", False),
        # right in neither reading: the factors' order
        ("\\frac{\\partial L}{\\partial V} = G P^\\top", True),
    ],
)
def test_a_square_output_is_read_either_way(claim: str, wrong: bool) -> None:
    found, _ = _judged(HEAD + f"$${claim}$$\n")
    assert found == ([claim.split(" = ")[1]] if wrong else [])


def test_a_gradient_by_a_variable_of_its_own_leads_nowhere() -> None:
    """``G = ∂L/∂O`` with O declared, never defined: no way to V, the claim undecided."""
    text = (
        "Let $P, V, O \\in \\mathbb{R}^{k \\times k}$ and $G = \\partial L / \\partial O$.\n\n"
        "$$\\frac{\\partial L}{\\partial V} = G P^\\top$$\n"
    )
    found, tally = _judged(text)
    assert found == [] and tally.verified == 0


def test_two_definitions_of_the_output_decide_nothing() -> None:
    text = LAYER.replace("$\\mathbf y = W\\mathbf x$", "$\\mathbf y = W\\mathbf x$ (or "
                         "$\\mathbf y = W(\\mathbf x + \\mathbf x)$)")  # fmt: skip
    found, tally = _judged(
        text + "$$\\frac{\\partial L}{\\partial W} = 3\\mathbf g \\mathbf x^\\top$$\n"
    )
    assert found == [] and tally.flagged == 0


def test_a_definition_the_shape_check_flags_is_no_second_one() -> None:
    # "(not y = W^T x)": a product that does not fit (W is m×n), flagged; y = W x alone
    # defines y, and the claim's factor 2 is a slip
    text = LAYER.replace("$\\mathbf y = W\\mathbf x$", "$\\mathbf y = W\\mathbf x$ (not "
                         "$\\mathbf y = W^\\top \\mathbf x$)")  # fmt: skip
    claim = "2\\mathbf g \\mathbf x^\\top"
    found, tally = _judged(text + f"$$\\frac{{\\partial L}}{{\\partial W}} = {claim}$$\n")
    assert found == [claim] and tally.flagged == 1


def test_the_statements_read() -> None:
    checked = Checker().check(
        "doc.md",
        text=(
            "$G = \\partial L / \\partial O \\in \\mathbb{R}^{n \\times d}$, "
            "$\\nabla_{\\mathbf h} L = \\boldsymbol\\delta$, "
            "$\\frac{\\partial L}{\\partial Z} = \\Delta$, "
            "$\\frac{\\partial \\ell}{\\partial Y} = \\bar Y$, $H = \\partial^2 L / \\partial O^2$.\n"
        ),
    )
    found = {(u.gradient_key, u.of_key) for u in upstreams(checked.rows, "L")}
    assert found == {("G", "O"), ("\\delta", "h"), ("\\Delta", "Z")}


def test_two_layers_each_claim_judged_by_its_own_upstream_gradient() -> None:
    r"""G₂ = ∂L/∂Z₂ and G₁ = ∂L/∂Z₁ both lead to X: a claim in G₁'s terms is verified by
    G₁'s reading, a slip of it reported; one in G₂'s terms (right) verified by G₂'s."""
    text = (
        "Let $X \\in \\mathbb{R}^{b \\times d}$, $W_1 \\in \\mathbb{R}^{d \\times h}$, "
        "$W_2 \\in \\mathbb{R}^{h \\times k}$, $Z_1 = X W_1$, $Z_2 = Z_1 W_2$, "
        "$G_2 = \\partial L / \\partial Z_2$ and $G_1 = \\partial L / \\partial Z_1$.\n\n"
        "$$\\frac{\\partial L}{\\partial X} = G_1 W_1^\\top$$\n\n"
        "$$\\frac{\\partial L}{\\partial X} = G_2 W_2^\\top W_1^\\top$$\n\n"
        "$$\\frac{\\partial L}{\\partial X} = -G_1 W_1^\\top$$\n"
    )
    found, tally = _judged(text)
    assert found == ["-G_1 W_1^\\top"] and tally.verified == 2


def test_a_deep_network_is_read_once_and_each_layer_by_its_own_gradient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r"""Twelve layers, each with its upstream gradient G_k = ∂L/∂Z_k (one that neither a
    declared G nor another layer's stands in for): every claim judged by its own layer's
    reading, the slips planted in layers 3 and 9 reported; the document's statements read
    once for all 36 claims (each claim once read them again, once per upstream gradient)."""
    from texgrad.calculus import written_upstream

    reads = 0
    init = written_upstream.GradientStatements.__init__

    def counted(self: written_upstream.GradientStatements, rows: object) -> None:
        nonlocal reads
        reads += 1
        init(self, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(written_upstream.GradientStatements, "__init__", counted)
    parts = ["We use the denominator layout. Let $G \\in \\mathbb{R}^{b \\times d}$.\n"]
    for k in range(1, 13):
        slip = {3: "-", 9: "2"}.get(k, "")
        parts.append(
            f"\nLet $H_{{{k}}} \\in \\mathbb{{R}}^{{b \\times d}}$, $W_{{{k}}} \\in "
            f"\\mathbb{{R}}^{{d \\times d}}$, $Z_{{{k}}} = H_{{{k}}} W_{{{k}}}$ and "
            f"$G_{{{k}}} = \\partial L / \\partial Z_{{{k}}}$.\n\n"
            f"$$\\frac{{\\partial L}}{{\\partial W_{{{k}}}}} = {slip}H_{{{k}}}^\\top G_{{{k}}}$$\n\n"
            f"$$\\frac{{\\partial L}}{{\\partial H_{{{k}}}}} = G_{{{k}}} W_{{{k}}}^\\top$$\n"
        )
    text = "".join(parts)
    found, tally = _judged(text)
    assert found == ["-H_{3}^\\top G_{3}", "2H_{9}^\\top G_{9}"]
    assert tally.read == 36 and tally.verified == 22  # (the 12 statements G_k = …: undecided)
    assert reads == 1


def test_a_stated_denominator_layout_reads_a_square_upstream_gradient_as_it_is() -> None:
    """With no layout stated, ``G^\\top`` may be the numerator layout's G (above); where the
    document states the denominator layout, G has O's shape and the transposed claim is a
    slip, said as one."""
    stated = "We use the denominator layout.\n\n" + HEAD
    found, tally = _judged(stated + "$$\\frac{\\partial L}{\\partial V} = P^\\top G^\\top$$\n")
    assert found == ["P^\\top G^\\top"] and tally.flagged == 1
    found, tally = _judged(stated + "$$\\frac{\\partial L}{\\partial V} = P^\\top G$$\n")
    assert found == [] and tally.verified == 1


# a residual block: X reaches the loss through A = XW₁ and through Y = X + HW₂ directly
RESIDUAL = r"""We use the denominator layout. Let $X \in \mathbb{R}^{N \times d}$, $W_1 \in \mathbb{R}^{d \times h}$,
$W_2 \in \mathbb{R}^{h \times d}$, $A = XW_1$, $H = \tanh(A)$ and $Y = X + HW_2$. Let
$G = \partial L / \partial Y$, $G_H = \partial L / \partial H$ and $G_A = \partial L / \partial A$.

$$G_H = G W_2^\top$$

$$G_A = G_H \odot (1 - H \odot H)$$

$$\frac{\partial L}{\partial X} = CLAIM$$
"""


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("G + G_A W_1^\\top", True),  # through Y, with the values the document gives G_A, G_H
        ("G + G_H W_2^\\top", None),  # (G_H W₂ᵀ is no part of ∂L/∂X: wrong, but no simple slip)
        ("G_A W_1^\\top", False),  # through A alone: the skip connection's G is missing
        ("-G - G_A W_1^\\top", False),  # the sign
    ],
)
def test_a_variable_reaching_the_loss_by_two_paths_is_not_judged_by_one(
    claim: str, verdict: bool | None
) -> None:
    text = RESIDUAL.replace("CLAIM", claim)
    checked = Checker().check("doc.md", text=text)
    tally = Tally()
    found = check_written(checked, seconds=60.0, tally=tally)
    assert [text[f.start : f.end] for f in found] == ([] if verdict is not False else [claim])
    assert tally.verified == (1 if verdict else 0)
    if claim == "G_A W_1^\\top":
        assert "the term `G` is missing" in found[0].message
        assert found[0].correct == "G_A W_1^\\top + G"  # (the fix in the claim's own terms)


def test_a_value_given_an_upstream_gradient_is_used_only_when_verified() -> None:
    """A wrong value given G_A (the sign of H ⊙ H) is not used: the claim written in G_A is
    not judged against the wrong value — through G alone, its difference (the residual G left
    out) changes with G, so it is wrong whatever G_A is, and the fix is the derivative through G."""
    text = RESIDUAL.replace("(1 - H \\odot H)", "(1 + H \\odot H)").replace(
        "CLAIM", "G_A W_1^\\top"
    )
    found, tally = _judged(text)
    assert found == ["G_A W_1^\\top"] and tally.verified == 0
    (finding,) = check_written(Checker().check("doc.md", text=text), seconds=120.0)
    assert "1 + H" not in finding.correct and "G_A" not in finding.correct
    assert "the difference changes with `G`" in finding.message


PENALTY = LAYER.replace(
    "a scalar loss $L$.",
    "a scalar loss $L$. With $\\lambda > 0$, the penalty is "
    "$\\Omega(W) = \\frac{\\lambda}{2}\\|W\\|_F^2$.",
)


@pytest.mark.parametrize(
    ("claim", "wrong", "fix"),
    [
        # the loss through its upstream gradient, the penalty as defined
        (
            "\\frac{\\partial (L + \\Omega)}{\\partial W} = \\mathbf g \\mathbf x^\\top + \\lambda W",
            False,
            "",
        ),
        # a factor 2 on the penalty's term: no term the loss may hold explains it
        (
            "\\frac{\\partial (L + \\Omega)}{\\partial W} = \\mathbf g \\mathbf x^\\top + 2\\lambda W",
            True,
            "\\mathbf g \\mathbf x^\\top + \\lambda W",
        ),
        # the sign of the whole
        (
            "\\frac{\\partial (L + \\Omega)}{\\partial W} = -\\mathbf g \\mathbf x^\\top - \\lambda W",
            True,
            "\\mathbf g \\mathbf x^\\top + \\lambda W",
        ),
        # the loss's term transposed (x gᵀ): no simple cause of the whole, undecided
        (
            "\\frac{\\partial (L + \\Omega)}{\\partial W} = \\mathbf x \\mathbf g^\\top + \\lambda W",
            False,
            "",
        ),
    ],
)
def test_a_loss_plus_a_defined_penalty(claim: str, wrong: bool, fix: str) -> None:
    text = PENALTY + f"$${claim}$$\n"
    found = check_written(Checker().check("doc.md", text=text), seconds=60.0)
    assert [f.correct for f in found] == ([fix] if wrong else [])
    if wrong:
        assert "`L + \\Omega` is taken through `\\mathbf{g}`" in found[0].message
        fixed = text[: found[0].start] + found[0].correct + text[found[0].end :]
        assert check_written(Checker().check("doc.md", text=fixed), seconds=60.0) == []


def test_a_term_of_the_loss_left_out_beside_a_penalty_stays_undecided() -> None:
    # the loss's own term missing: the loss may hold what the document does not write
    text = PENALTY + "$$\\frac{\\partial (L + \\Omega)}{\\partial W} = \\lambda W$$\n"
    tally = Tally()
    assert check_written(Checker().check("doc.md", text=text), seconds=60.0, tally=tally) == []
    assert tally.verified == 0


def test_a_claim_in_several_upstream_gradients_of_parallel_quantities_is_checked() -> None:
    # Q = XW_q and K = XW_k, neither through the other: L is tr(G_Qᵀ Q) + tr(G_Kᵀ K) to first
    # order, whatever else it holds; a slip in a term holding G_K is one no other term explains
    text = (
        "Let $X \\in \\mathbb{R}^{N \\times d}$, $W_q, W_k \\in \\mathbb{R}^{d \\times k}$, "
        "$Q = XW_q$ and $K = XW_k$, with $G_Q = \\partial L/\\partial Q$ and "
        "$G_K = \\partial L/\\partial K$.\n\n"
        "$$\\frac{\\partial L}{\\partial X} = G_Q W_q^\\top + G_K W_k^\\top$$\n"
    )
    tally = Tally()
    assert check_written(Checker().check("doc.md", text=text), seconds=60.0, tally=tally) == []
    assert tally.verified == 1
    slips = {
        "G_Q W_q^\\top - G_K W_k^\\top": "has the wrong sign",
        "G_Q W_q^\\top + 2G_K W_k^\\top": "factor 2",
    }  # (G_Q W_qᵀ alone is verified through G_Q: one path of two is a reading of its own)
    for wrong, said in slips.items():
        doc = text.replace("G_Q W_q^\\top + G_K W_k^\\top", wrong)
        checked = Checker().check("doc.md", text=doc)
        found = check_written(checked, seconds=60.0)
        assert len(found) == 1 and said in found[0].message, (wrong, found)
        assert "taken through `G_Q`, `G_K`" in found[0].message
        fixed = doc[: found[0].start] + found[0].correct + doc[found[0].end :]
        assert check_written(Checker().check("doc.md", text=fixed), seconds=60.0) == []
    # a term besides the upstream gradients (λX of a penalty the loss may hold): undecided,
    # and said so in words
    from texgrad.calculus.unchecked import claim_reason

    doc = text.replace("G_K W_k^\\top$$", "G_K W_k^\\top + \\lambda X$$").replace(
        "Let $X", "Let $\\lambda > 0$, $X"
    )
    tally = Tally()
    assert check_written(Checker().check("doc.md", text=doc), seconds=60.0, tally=tally) == []
    (why,) = [r[2] for r in tally.undecided if r[4] == "X"]
    assert "upstream:" not in claim_reason(why)
    # the reasons of a joint reading, in words
    said = claim_reason("upstream: several, read together, no simple cause")
    assert "upstream:" not in said and "the loss may hold terms" in said
    said = claim_reason("upstream: several, read together, undecided")
    assert said.endswith("texgrad could not decide it through them taken together")


def test_a_claim_in_several_upstream_gradients_says_why_it_is_not_checked() -> None:
    from texgrad.calculus.unchecked import claim_reason

    # K defined through Q: the two gradients are not of parallel quantities (G_Q holds K's path)
    text = (
        "Let $X \\in \\mathbb{R}^{N \\times d}$, $W_q, W_k \\in \\mathbb{R}^{d \\times d}$, "
        "$Q = XW_q$ and $K = QW_k$, with $G_Q = \\partial L/\\partial Q$ and "
        "$G_K = \\partial L/\\partial K$.\n\n"
        "$$\\frac{\\partial L}{\\partial X} = G_Q W_q^\\top + G_K W_k^\\top$$\n"
    )
    tally = Tally()
    assert check_written(Checker().check("doc.md", text=text), seconds=60.0, tally=tally) == []
    reasons = [r[2] for r in tally.undecided if "X} =" in text[: r[1]] and r[2]]
    assert reasons[-1] == "upstream: several: `G_Q`, `G_K`"
    assert claim_reason(reasons[-1]).endswith(
        "its right side is written in several upstream gradients, and texgrad takes the loss "
        "through one at a time: `G_Q`, `G_K`"
    )


def test_letters_to_declare_are_quoted_whole() -> None:
    assert [_unbraced(w) for w in (r"\mathbf{w}", "{w}", " { t } ", r"\bm{\theta}")] == [
        r"\mathbf{w}",
        "w",
        "t",
        r"\bm{\theta}",
    ]


ATTENTION = (
    "Let $X \\in \\mathbb{R}^{n \\times d}$, $W^Q, W^K \\in \\mathbb{R}^{d \\times k}$ and "
    "$W^V \\in \\mathbb{R}^{d \\times e}$. Write $Q = XW^Q$, $K = XW^K$, $V = XW^V$ and\n"
    "$$A = \\operatorname{softmax}\\left(\\frac{QK^\\top}{\\sqrt{k}}\\right), \\qquad O = AV.$$\n"
    "{slip}For a scalar loss $L$, with $G = \\partial L/\\partial O \\in \\mathbb{R}^{n \\times e}$, "
    "$$\\frac{\\partial L}{\\partial V} = {claim}$$\n"
)


@pytest.mark.parametrize("slip", ["", "A slip: $O = VA$.\n\n"])
def test_a_slip_on_a_defined_name_is_said_on_the_name(slip: str) -> None:
    # A is defined by a softmax: the claim A G differs from A^T G by a transpose of A, which
    # no letter of A's definition explains (it was undecided, "no simple cause"); a row the
    # shape check flags ("A slip: $O = VA$") is no second definition of O (with it, every
    # claim through G went unchecked: "the document gives L no formula in V")
    text = ATTENTION.replace("{slip}", slip)
    found, tally = _judged(text.replace("{claim}", "A^\\top G"))
    assert (found, tally.verified) == ([], 1)
    wrong = text.replace("{claim}", "A G")
    (finding,) = check_written(Checker().check("doc.md", text=wrong), seconds=120.0)
    assert "the transposes are misplaced: `A G` where `A^\\top G` is needed" in finding.message
    assert finding.correct == "A^\\top G"
