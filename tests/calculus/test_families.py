r"""Members of families in the engine: ``W^{(l+1)}`` of ``W^{(l)}``, ``h_{t-1}`` of ``h_t``
are variables of their own with the family's shape shifted to their label, as shapes reads
them (:mod:`texgrad.shapes.families`); a member declared itself keeps its own shape; a
member of no declared family is refused, never read as a power."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.api import diff_in_document, diff_latex

LAYERS = r"W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}; a^{(l)} \in \mathbb{R}^{n_l}"


def test_a_shifted_member_is_a_variable_of_its_own_shape() -> None:
    out = diff_latex(r"\|W^{(l+1)} a^{(l)}\|^2", "a^{(l)}", LAYERS)
    assert (out.result, out.verified) == (r"2 (W^{(l+1)})^\top W^{(l+1)} a^{(l)}", True), out.error
    assert out.shape == "ℝ^{n_l}"
    out = diff_latex(r"\|W^{(l+1)} a^{(l)}\|^2", "W^{(l+1)}", LAYERS)
    assert (out.result, out.verified) == (r"2 W^{(l+1)} a^{(l)} (a^{(l)})^\top", True), out.error
    assert out.shape == "ℝ^{n_{l+1}×n_l}"
    out = diff_latex(r"\|W^{(l)} a^{(l-1)}\|^2", "a^{(l-1)}", LAYERS)
    assert (out.result, out.verified) == (r"2 (W^{(l)})^\top W^{(l)} a^{(l-1)}", True), out.error


def test_a_wrongly_shifted_product_is_refused() -> None:
    out = diff_latex(r"\|W^{(l)} a^{(l)}\|^2", "a^{(l)}", LAYERS)
    assert out.result == "" and out.error is not None
    assert "inner dimensions n_{l-1} and n_l differ" in out.error


def test_a_member_declared_itself_wins_and_w_alone_does_not_make_a_power() -> None:
    where = LAYERS + r"; W^{(l+1)} \in \mathbb{R}^{m \times n_{l-1}}"
    out = diff_latex(r"\|W^{(l+1)} a^{(l)}\|^2", "a^{(l)}", where)
    assert out.result == "" and "inner dimensions n_{l-1} and n_l differ" in str(out.error)
    out = diff_latex(
        r"\|W^{(l+1)} a^{(l)}\|^2", "a^{(l)}", LAYERS + r"; W \in \mathbb{R}^{m \times m}"
    )
    assert (out.result, out.verified) == (r"2 (W^{(l+1)})^\top W^{(l+1)} a^{(l)}", True), out.error


def test_a_labelled_superscript_of_no_family_is_refused() -> None:
    where = r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n"
    out = diff_latex(r"\|A^{(k+1)} x\|^2", "x", where)
    assert out.result == "" and "`A^{(k+1)}` is unknown" in str(out.error)  # (as written)


def test_subscript_members_of_h_t() -> None:
    where = r"h_t \in \mathbb{R}^n; x_k \in \mathbb{R}^{n_k}; W \in \mathbb{R}^{n \times n}"
    out = diff_latex(r"\|W h_{t-1} - h_t\|^2", "h_{t-1}", where)
    assert (out.result, out.verified) == (r"2 W^\top (W h_{t-1} - h_t)", True), out.error
    out = diff_latex(r"\|W h_{t-1} - h_t\|^2", "W", where)
    assert (out.result, out.verified) == (r"2 (W h_{t-1} - h_t) h_{t-1}^\top", True), out.error
    out = diff_latex(r"x_{k+1}^\top x_{k+1}", "x_{k+1}", where)
    assert (out.verified, out.shape) == (True, "ℝ^{n_{k+1}}"), out.error


def test_members_in_a_document(tmp_path: Path) -> None:
    doc = tmp_path / "backprop.md"
    doc.write_text(
        "# Backprop\n\n"
        r"Let $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$ and "
        r"$a^{(l)}, b^{(l)} \in \mathbb{R}^{n_l}$." + "\n\n"
        r"$$f = \|W^{(l+1)} a^{(l)} + b^{(l+1)}\|^2$$" + "\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 5, "a^{(l)}")
    assert (out.result, out.verified) == (
        r"2 (W^{(l+1)})^\top (W^{(l+1)} a^{(l)} + b^{(l+1)})",
        True,
    ), out.error
    out = diff_in_document(doc, 5, "b^{(l+1)}")
    assert (out.verified, out.shape) == (True, "ℝ^{n_{l+1}}"), out.error


def test_a_member_of_a_declared_family_though_the_letter_is_declared_too() -> None:
    # "states h_t ∈ ℝⁿ … a state h ∈ ℝⁿ": h_{t-1} is a member of the family, not an entry of h
    where = r"h_t \in \mathbb{R}^n; h \in \mathbb{R}^n; W \in \mathbb{R}^{n \times n}"
    out = diff_latex(r"\|W h_{t-1} - h_t\|^2", "W", where)
    assert (out.result, out.verified) == (r"2 (W h_{t-1} - h_t) h_{t-1}^\top", True), out.error


def test_an_entry_of_a_declared_vector_without_a_family_stays_an_entry() -> None:
    out = diff_latex(r"x_1 w^\top x", "w", r"x \in \mathbb{R}^n; w \in \mathbb{R}^n")
    assert not out.verified and out.error is not None and "entry" in out.error


def test_a_tagged_member_of_a_tagged_family_written_either_way() -> None:
    r"""``W^Q_1`` and ``W_1^Q`` of ``W_i^Q``: the head-1 member of the family ``W^Q``, of its
    shape, never the power ``(W_1)^Q`` of an unknown ``W_1``; a wrong size is still refused."""
    heads = r"W^Q_i \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n"
    for written in ("W^Q_1", "W_1^Q", "W^{Q}_{1}"):
        out = diff_latex(rf"\|{written} x\|^2", "x", heads)
        assert (out.result, out.verified) == (rf"2 ({written})^\top {written} x", True), out.error
        assert out.shape == "ℝ^{n}"
    out = diff_latex(r"\|W^Q_1 x - W_2^Q x\|^2", "W^Q_1", heads.replace("W^Q_i", "W_i^Q"))
    assert (out.result, out.verified) == (r"2 (W^Q_1 - W_2^Q) x x^\top", True), out.error
    assert out.shape == "ℝ^{m×n}"
    out = diff_latex(
        r"\|W^Q_1 x\|^2", "x", r"W^Q_i \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^m"
    )
    assert out.result == "" and "inner dimensions n and m differ" in str(out.error)
    out = diff_latex(r"\|W^K_1 x\|^2", "x", heads)  # another tag: no member of W^Q
    assert out.result == "" and out.error is not None
