r"""A function whose value is declared at a call (``\psi(X) = … \in \mathbb{R}^{n \times D}``)
is a function, not a matrix ``\psi``: ``\psi(\mathbf{x})`` is differentiated through its
definition at a point (never read as the product of an n×D ``\psi`` with ``\mathbf{x}``), and
a restatement of the map for a batch of rows does not replace that definition."""

from __future__ import annotations

from texgrad.calculus import written_derivatives as wd
from texgrad.shapes.check import Checker

TEXT = (
    r"Fix $\Omega \in \mathbb{R}^{D \times p}$, $\mathbf{b} \in \mathbb{R}^{D}$, "
    r"$\mathbf{w} \in \mathbb{R}^{D}$ and a point $\mathbf{x} \in \mathbb{R}^{p}$, and define "
    r"$\psi(\mathbf{u}) = \cos(\Omega \mathbf{u} + \mathbf{b})$. For "
    r"$X \in \mathbb{R}^{n \times p}$, row by row, "
    r"$\psi(X) = \cos(X \Omega^\top + \mathbf{1}_n \mathbf{b}^\top) \in \mathbb{R}^{n \times D}$."
    "\n\n"
    r"$$f(\mathbf{w}) = \mathbf{w}^\top \psi(\mathbf{x})$$"
    "\n\n"
    r"$$\nabla_{\mathbf{w}} f = \psi(\mathbf{x})$$"
    "\n\n"
    r"$$\nabla_{\mathbf{w}} f = 2\,\psi(\mathbf{x})$$"
    "\n\n"
    r"$$g(\mathbf{x}) = \mathbf{w}^\top \psi(\mathbf{x})$$"
    "\n\n"
    r"$$\nabla_{\mathbf{x}} g = -\Omega^\top (\sin(\Omega \mathbf{x} + \mathbf{b}) \odot \mathbf{w})$$"
    "\n\n"
    r"$$\nabla_{\mathbf{x}} g = \Omega^\top (\sin(\Omega \mathbf{x} + \mathbf{b}) \odot \mathbf{w})$$"
    "\n"
)


def test_a_function_valued_at_a_batch_is_differentiated_through_its_definition() -> None:
    result = Checker().check("doc.md", text=TEXT)
    found = wd.check_written(result, seconds=60.0, tally=wd.Tally())
    lines = sorted(TEXT.count("\n", 0, d.start) + 1 for d in found)
    assert lines == [7, 13]  # 2ψ(x), and the chain rule's sign dropped
    assert all("verified numerically" in d.message for d in found)
