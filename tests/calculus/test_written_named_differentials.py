r"""A differential written in the differential of a name the document defines:
``\mathrm df = \operatorname{tr}(R^\top \mathrm dR) + \lambda\operatorname{tr}(W^\top \mathrm dW)``
with ``R = XW - Y`` — the first line of a Math.SE-style derivation.  ``\mathrm dR`` is the
differential of R's definition in W (``X\,\mathrm dW``): the claim is checked by W, right
and wrong, instead of being left unchecked "with shapes guessed from its letters"."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.shapes.check import Checker

DOC = r"""Here $X \in \mathbb{R}^{n\times p}$, $W \in \mathbb{R}^{p \times k}$, $Y \in \mathbb{R}^{n \times k}$ and $\lambda > 0$.
Let $f(W) = \frac12\|XW - Y\|_F^2 + \frac\lambda2\|W\|_F^2$ and $R = XW - Y$.

$$\mathrm{d}f = \operatorname{tr}(R^\top \mathrm{d}R) + \lambda \operatorname{tr}(W^\top \mathrm{d}W)$$

$$\mathrm{d}f = \operatorname{tr}(R^\top X\,\mathrm{d}W) + \lambda \operatorname{tr}(W^\top \mathrm{d}W)$$

$$\mathrm{d}f = 2\operatorname{tr}(R^\top \mathrm{d}R) + \lambda \operatorname{tr}(W^\top \mathrm{d}W)$$

$$\mathrm{d}f = \operatorname{tr}(\mathrm{d}R^\top R) + 2\lambda \operatorname{tr}(W^\top \mathrm{d}W)$$
"""


def test_a_differential_written_in_a_defined_name_is_checked(tmp_path: Path) -> None:
    checked = Checker().check(str(tmp_path / "answer.md"), text=DOC)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    lines = [DOC.count("\n", 0, f.start) + 1 for f in found]
    assert lines == [8, 10]
    assert tally.verified == 2 and tally.flagged == 2
    assert all("is not the differential of `f`" in f.message for f in found)


LAYER_NORM = r"""## Layer normalisation

For an input $\mathbf{x} \in \mathbb{R}^d$ let
$\mu = \frac{1}{d}\mathbf{1}^\top \mathbf{x}$, $\sigma^2 = \frac{1}{d}\|\mathbf{x} - \mu\mathbf{1}\|^2$ and
$\hat{\mathbf{x}} = (\mathbf{x} - \mu\mathbf{1})/\sqrt{\sigma^2 + \epsilon}$ with $\epsilon > 0$.
The output is $\mathbf{y} = \boldsymbol\gamma \odot \hat{\mathbf{x}} + \boldsymbol\beta$ with
$\boldsymbol\gamma, \boldsymbol\beta \in \mathbb{R}^d$, and the loss is $L = \frac12\|\mathbf{y} - \mathbf{t}\|^2$
for a target $\mathbf{t} \in \mathbb{R}^d$.

Then $\nabla_{\boldsymbol\beta} L = \mathbf{y} - \mathbf{t}$ and
$\nabla_{\boldsymbol\gamma} L = (\mathbf{y} - \mathbf{t}) \odot \hat{\mathbf{x}}$, while
$\nabla_{\boldsymbol\gamma} L = (\mathbf{y} - \mathbf{t})^\top \hat{\mathbf{x}}$ is a common slip.
"""


def test_a_claim_through_a_squared_name_is_checked(tmp_path: Path) -> None:
    r"""``\sigma^2 = …`` names a value (σ itself is never defined): a claim whose right side
    goes through it (``\hat{\mathbf x}`` of layer norm) is evaluated with it (it was "cannot
    evaluate its right side"); ``diff --line`` of a line that declares, then states the loss,
    differentiates the loss."""
    checked = Checker().check(str(tmp_path / "ln.md"), text=LAYER_NORM)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    assert [LAYER_NORM.count("\n", 0, f.start) + 1 for f in found] == [12]
    assert tally.verified == 2
    doc = tmp_path / "ln.md"
    doc.write_text(LAYER_NORM, encoding="utf-8")
    out = diff_in_document(doc, 7, r"\boldsymbol\gamma", budget=60.0)
    assert out.error is None and out.verified
    assert out.result == r"(\mathbf{y} - \mathbf{t}) \odot \hat{\mathbf{x}}"
