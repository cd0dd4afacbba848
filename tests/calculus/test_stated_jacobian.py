r"""``J_g(\mathbf x) = A\mathbf x`` of a function g the document defines states g's
Jacobian (a claim texgrad checks), not a function ``J_g`` to differentiate: no plan, the
reason in the editor and on the command line; ``J_k(\theta)`` of an index is a function."""

from __future__ import annotations

from texgrad.calculus.api import diff_in_document, plans_at
from texgrad.calculus.refusals import refusal_at
from texgrad.shapes.check import Checker

DOC = (
    r"Let $A \in \mathbb{R}^{m \times n}$, $\mathbf x \in \mathbb{R}^n$ and "
    "$g(\\mathbf x) = A\\mathbf x$.\n\n"
    "$$ J_g(\\mathbf x) = A $$\n\n"
    "$$ J_k(\\mathbf x) = \\|A \\mathbf x\\|^2 $$\n"
)
REASON = (
    r"`J_g(\mathbf x)` states the Jacobian of `g`: texgrad checks it against the derivative "
    "of `g` (differentiate `g` where it is defined), and does not differentiate it as a "
    "function of its own"
)


def test_a_stated_jacobian_is_not_offered_as_a_function() -> None:
    checked = Checker().check("doc.md", text=DOC)
    at = DOC.index("J_g") + 1
    assert plans_at("doc.md", DOC, at, result=checked) == []
    found = refusal_at(checked, at)
    assert found is not None and found.reason == REASON
    # J_k of an index k (no function k): a function of its own, differentiated
    plans = plans_at("doc.md", DOC, DOC.index("J_k") + 1, result=checked)
    assert [(p.wrt, p.kind, p.function) for p in plans] == [
        ("\\mathbf x", "gradient", "J_k"),
        ("A", "gradient", "J_k"),
    ]


def test_the_command_line_says_why(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "doc.md"
    path.write_text(DOC)
    out = diff_in_document(str(path), 3, "\\mathbf x")
    assert out.error == REASON
    out = diff_in_document(str(path), 5, "\\mathbf x")
    assert out.error is None and out.verified and out.result == "2 A^\\top A \\mathbf x"
