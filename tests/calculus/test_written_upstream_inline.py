r"""An upstream gradient written inline, as a derivative of the loss on a claim's right side
(calculus/written_upstream.py, :func:`inline_upstreams`): ``\frac{\partial L}{\partial K} =
\frac{1}{\sqrt{d_k}} \frac{\partial L}{\partial S} Q`` for ``S = QK^\top/\sqrt{d_k}`` and a
loss ``L`` the document never writes out.  Such claims were not read at all (the right side
holds a derivative); now the derivative stands for an upstream gradient of ``S``'s shape —
or, in numerator layout, its transpose's, the claim then in that layout too — and the claim
is verified or reported by the rules of a named ``G = \partial L/\partial S``."""

from __future__ import annotations

import pytest

from texgrad.calculus.unchecked import claim_reason
from texgrad.calculus.written_derivatives import Finding, Tally, check_written
from texgrad.calculus.written_upstream import inline_derivatives, writes_inline_upstream
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax.parse import parse_row

ATTENTION = (
    "Let $X \\in \\mathbb{R}^{n \\times d}$, $W^Q, W^K \\in \\mathbb{R}^{d \\times d_k}$, "
    "$Q = X W^Q$, $K = X W^K$. Given $S = QK^\\top/\\sqrt{d_k}$ and the upstream gradient "
    "$\\frac{\\partial L}{\\partial S}$ (an $n \\times n$ matrix),\n\n"
)
LAYER = (
    "Let $W \\in \\mathbb{R}^{n \\times n}$, $\\mathbf x, \\mathbf b \\in \\mathbb{R}^n$ and "
    "$\\mathbf y = W\\mathbf x + \\mathbf b$.\n\n"
)
DENSE = (
    "Let $W \\in \\mathbb{R}^{m \\times k}$, $\\mathbf x \\in \\mathbb{R}^k$, "
    "$\\mathbf b \\in \\mathbb{R}^m$, $\\mathbf z = W\\mathbf x + \\mathbf b$ and a loss "
    "$\\ell$.\n\n"
)
DS = "\\frac{\\partial L}{\\partial S}"


def _judged(text: str) -> tuple[list[Finding], Tally]:
    tally = Tally()
    found = check_written(Checker().check("doc.md", text=text), seconds=60.0, tally=tally)
    return found, tally


@pytest.mark.parametrize(
    ("claim", "cause"),
    [
        # right: verified
        (f"\\frac{{\\partial L}}{{\\partial Q}} = \\frac{{1}}{{\\sqrt{{d_k}}}} {DS} K", None),
        (
            f"\\frac{{\\partial L}}{{\\partial K}} = \\frac{{1}}{{\\sqrt{{d_k}}}} ({DS})^\\top Q",
            None,
        ),
        ("\\frac{\\partial L}{\\partial Q} = (\\partial L/\\partial S) K / \\sqrt{d_k}", None),
        ("\\frac{\\partial L}{\\partial Q} = \\nabla_S L \\, K / \\sqrt{d_k}", None),
        # wrong: the transpose of ∂L/∂S is needed (∂L/∂S read in the claim's own layout)
        (
            f"\\frac{{\\partial L}}{{\\partial K}} = \\frac{{1}}{{\\sqrt{{d_k}}}} {DS} Q",
            "transposes",
        ),
        (f"\\frac{{\\partial L}}{{\\partial Q}} = -\\frac{{1}}{{\\sqrt{{d_k}}}} {DS} K", "sign"),
        (f"\\frac{{\\partial L}}{{\\partial Q}} = \\frac{{2}}{{\\sqrt{{d_k}}}} {DS} K", "factor 2"),
    ],
)
def test_attention_scores(claim: str, cause: str | None) -> None:
    found, tally = _judged(ATTENTION + f"$${claim}$$\n")
    assert tally.read == 1
    if cause is None:
        assert (found, tally.verified) == ([], 1)
        return
    (finding,) = found
    assert tally.flagged == 1
    said = {"transposes": "the transposes are misplaced", "sign": "the sign is wrong"}
    assert said.get(cause, cause) in finding.message
    assert finding.message.endswith(f"; `L` is taken through `{DS}`, its gradient by `S`")


def test_the_fix_reads_back_as_the_transpose_and_is_verified() -> None:
    r"""The quick fix writes ``\left(\frac{\partial L}{\partial S}\right)^\top``, not
    ``\frac{…}{…}^\top``; the claim with it checked again is verified."""
    claim = f"\\frac{{\\partial L}}{{\\partial K}} = \\frac{{1}}{{\\sqrt{{d_k}}}} {DS} Q"
    text = ATTENTION + f"$${claim}$$\n"
    (finding,) = _judged(text)[0]
    assert finding.correct == (  # (the claim's own words, its transpose toggled)
        "\\frac{1}{\\sqrt{d_k}} \\left(\\frac{\\partial L}{\\partial S}\\right)^\\top Q"
    )
    fixed = text[: finding.start] + finding.correct + text[finding.end :]
    found, tally = _judged(fixed)
    assert found == [] and (tally.read, tally.verified) == (1, 1)


def test_a_chain_through_a_gradient_claimed_just_before() -> None:
    r"""``\frac{\partial L}{\partial W^Q} = X^\top \frac{\partial L}{\partial Q}``: ∂L/∂Q, the
    claim before, is the upstream gradient of ``Q = XW^Q``; a factor 2 on the next reported."""
    text = (
        ATTENTION
        + f"$$\\frac{{\\partial L}}{{\\partial Q}} = \\frac{{1}}{{\\sqrt{{d_k}}}} {DS} K$$\n\n"
        "$$\\frac{\\partial L}{\\partial W^Q} = X^\\top \\frac{\\partial L}{\\partial Q}$$\n\n"
        "$$\\frac{\\partial L}{\\partial W^K} = 2 X^\\top \\frac{\\partial L}{\\partial K}$$\n"
    )
    found, tally = _judged(text)
    assert (tally.read, tally.verified, tally.flagged) == (3, 2, 1)
    assert text[found[0].start : found[0].end] == "2 X^\\top \\frac{\\partial L}{\\partial K}"
    assert found[0].correct == "X^\\top \\frac{\\partial L}{\\partial K}"


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("W^\\top \\frac{\\partial L}{\\partial \\mathbf y}", False),
        ("\\left(\\frac{\\partial L}{\\partial \\mathbf y}\\right)^\\top W", False),  # a row
        ("W \\frac{\\partial L}{\\partial \\mathbf y}", True),  # the transpose of W needed
    ],
)
def test_a_linear_layer_by_its_input(claim: str, wrong: bool) -> None:
    found, tally = _judged(LAYER + f"$$\\frac{{\\partial L}}{{\\partial \\mathbf x}} = {claim}$$\n")
    assert (tally.verified, tally.flagged) == ((0, 1) if wrong else (1, 0))
    if wrong:
        assert found[0].correct == "W^\\top \\frac{\\partial L}{\\partial \\mathbf y}"


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("\\frac{\\partial \\ell}{\\partial \\mathbf z} \\mathbf x^\\top", False),
        # (in parentheses: ∇_z ℓ xᵀ leading a product reads as ∇_z applied to ℓ xᵀ)
        ("(\\nabla_{\\mathbf z} \\ell) \\mathbf x^\\top", False),
        # numerator layout on both sides: ∂ℓ/∂z a row, ∂ℓ/∂W the k×m transpose
        ("\\mathbf x \\frac{\\partial \\ell}{\\partial \\mathbf z}", False),
        ("\\mathbf x \\left(\\frac{\\partial \\ell}{\\partial \\mathbf z}\\right)^\\top", True),
    ],
)
def test_a_dense_layer_by_its_weights(claim: str, wrong: bool) -> None:
    found, tally = _judged(DENSE + f"$$\\frac{{\\partial \\ell}}{{\\partial W}} = {claim}$$\n")
    assert (tally.verified, tally.flagged) == ((0, 1) if wrong else (1, 0))
    if wrong:
        assert "it is the transpose of the derivative" in found[0].message


def test_a_named_delta_stands_for_the_gradient_only_where_said() -> None:
    r"""``\boldsymbol\delta^{(l)}`` is the upstream gradient where the document says
    ``\boldsymbol\delta^{(l)} = \partial L/\partial \mathbf z^{(l)}``; declared only, it is a
    vector of its own and the claim is not reported."""
    said = (
        "Let $W^{(l)} \\in \\mathbb{R}^{m \\times k}$, $\\mathbf a^{(l-1)} \\in \\mathbb{R}^k$, "
        "$\\mathbf z^{(l)} = W^{(l)} \\mathbf a^{(l-1)}$ and "
        "$\\boldsymbol\\delta^{(l)} = \\partial L/\\partial \\mathbf z^{(l)}$.\n\n"
    )
    right = "$$\\frac{\\partial L}{\\partial W^{(l)}} = \\boldsymbol\\delta^{(l)} (\\mathbf a^{(l-1)})^\\top$$\n\n"
    wrong = right.replace("= \\boldsymbol", "= 2\\boldsymbol")
    found, tally = _judged(said + right + wrong)
    assert (tally.verified, tally.flagged) == (1, 1)
    assert "a factor 2 too many" in found[0].message
    declared = said.replace(
        "$\\boldsymbol\\delta^{(l)} = \\partial L/\\partial \\mathbf z^{(l)}$",
        "$\\boldsymbol\\delta^{(l)} \\in \\mathbb{R}^m$",
    )
    found, tally = _judged(declared + wrong)
    assert found == [] and tally.flagged == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            LAYER + "$$\\frac{\\partial L}{\\partial W} = \\frac{\\partial L}{\\partial Z} "
            "\\mathbf x^\\top$$\n",
            "`\\frac{\\partial L}{\\partial Z}` is read as an upstream gradient, but `Z` is "
            "neither defined nor declared",
        ),
        (
            # (L reaches x besides y: its formula is not bypassed, test_a_defined_loss_…)
            LAYER + "Let $L = \\|\\mathbf y\\|^2 + \\|\\mathbf x\\|^2$.\n\n$$\\frac{\\partial L}"
            "{\\partial \\mathbf x} = W^\\top \\frac{\\partial L}{\\partial \\mathbf y}$$\n",
            "read as an upstream gradient only where the document gives `L` no formula",
        ),
        (
            LAYER + "$$\\frac{\\partial L}{\\partial \\mathbf x} = W^\\top \\frac{\\partial L}"
            "{\\partial \\mathbf y} + \\frac{\\partial L}{\\partial \\mathbf b}$$\n",
            "its right side writes several upstream gradients",
        ),
    ],
)
def test_what_is_not_checked_says_why(text: str, reason: str) -> None:
    found, tally = _judged(text)
    assert found == [] and (tally.read, tally.verified) == (1, 0)
    ((_, _, why, function, wrt),) = tally.undecided
    said = claim_reason(why, function, wrt)
    assert said.startswith("this derivative is not checked: ") and reason in said


def test_a_chain_rule_written_out_is_not_a_claim() -> None:
    r"""``\frac{\partial L}{\partial \mathbf y} \frac{\partial \mathbf y}{\partial \mathbf x}``
    holds a derivative of another function: no expression to check (not read, as before)."""
    claim = (
        "\\frac{\\partial L}{\\partial \\mathbf x} = \\frac{\\partial L}{\\partial \\mathbf y} "
        "\\frac{\\partial \\mathbf y}{\\partial \\mathbf x}"
    )
    _, tally = _judged(LAYER + f"$${claim}$$\n")
    assert tally.read == 0
    tree = parse_row(MappedText.identity(claim)).tree
    assert tree is not None
    right = tree.items[1]  # type: ignore[attr-defined]
    assert inline_derivatives(right, "L") is None
    assert not writes_inline_upstream(right, tree.items[0].body, None)  # type: ignore[attr-defined]


def test_the_derivatives_found_inline() -> None:
    tree = parse_row(
        MappedText.identity("2 X^\\top (\\partial L/\\partial Q) + \\nabla_K L \\, W")
    ).tree
    assert tree is not None
    found = inline_derivatives(tree, "L")
    assert found is not None
    assert [n.kind for n, _ in found] == ["Derivative", "Nabla"]
    assert [o.name for _, o in found] == ["Q", "K"]  # type: ignore[attr-defined]
    assert inline_derivatives(tree, "\\ell") is None  # (another loss's: not read)


def test_a_defined_loss_reaching_the_variable_only_through_the_upstream_one() -> None:
    # L = ‖y‖² reaches x only through y = Wx + b: the claim is read as for a loss of no
    # formula (session 30), the right one verified, the square W's missing transpose found
    defined = (
        LAYER + "Let $L = \\|\\mathbf y\\|^2$.\n\n$$\\frac{\\partial L}{\\partial \\mathbf x} = "
    )
    found, tally = _judged(defined + "W^\\top \\frac{\\partial L}{\\partial \\mathbf y}$$\n")
    assert found == [] and (tally.read, tally.verified) == (1, 1)
    found, tally = _judged(defined + "W \\frac{\\partial L}{\\partial \\mathbf y}$$\n")
    assert tally.flagged == 1 and "W^\\top" in found[0].message
