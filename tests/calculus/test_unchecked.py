r"""Say why: ``texgrad check --explain`` lists what is not checked and why, in the document's
own words (``calculus/unchecked.py``), on documents written as people write them
(``tests/explain/documents/``: a paper with a macros file and ``\input`` sections, Beamer
slides, Quarto, MyST, Jupyter-style Markdown, lecture notes); no such message shows an
internal tree."""

from __future__ import annotations

import json
from pathlib import Path

from tests.calculus.test_messages import INTERNAL
from tests.test_cli import run
from texgrad.calculus import unchecked
from texgrad.calculus import written_derivatives as wd
from texgrad.shapes.check import Checker

HERE = Path(__file__).resolve().parents[1]
HELD_OUT = HERE / "explain" / "documents"
DOCUMENTS = HERE / "documents"


def _explained(
    *paths: Path, explain: bool = True, more: tuple[str, ...] = ()
) -> tuple[int, list[dict[str, object]]]:
    argv = ["check", "--format", "json", "-j", "1", *more, *map(str, paths)]
    code, out = run(*argv, *(["--explain"] if explain else []))
    return code, json.loads(out)


def _said(records: list[dict[str, object]], name: str) -> dict[tuple[int, str], list[str]]:
    """The information of one file, by line and code (several on a line in order)."""
    said: dict[tuple[int, str], list[str]] = {}
    for r in records:
        if str(r["path"]).endswith(name) and r["severity"] == "information":
            said.setdefault((int(r["line"]), str(r["code"])), []).append(str(r["message"]))  # type: ignore[call-overload]
    return said


def _undecided_by_line(text: str) -> dict[int, str]:
    """Why each claim of a Markdown ``text`` is not checked, by its line (none flagged)."""
    tally = wd.Tally()
    found = wd.check_written(Checker().check("doc.md", text=text), seconds=60.0, tally=tally)
    assert found == []
    return {
        text.count("\n", 0, a) + 1: unchecked.claim_reason(why)
        for a, _, why, _, _ in tally.undecided
    }


def test_held_out_documents_say_why_in_their_own_words() -> None:
    code, records = _explained(HELD_OUT)
    assert code == 0  # what is not checked is information: never an error status
    model = _said(records, "sections/model.tex")
    assert (
        r"`\Phi` has no shape: it is never declared (its use suggests p columns); declare it, "
        r"e.g. `\Phi \in \mathbb{R}^{m \times p}` (the row using it is not checked)"
    ) in model[(11, "unknown-shape")]
    assert (
        r"cannot differentiate `\ell`: `\mathbb{E}[\cdot]` (an expectation) is not supported"
    ) in model[(12, "cannot-differentiate")]
    # ∂L/∂W^Q = X^T G with G = ∂L/∂Q and Q = XW^Q: verified through the upstream gradient
    # (issue 15), so nothing is said of it
    assert not [key for key in model if key[0] == 15]
    assert (
        r"`R(\vw) = \sum_{i=1}^N \rho\big(y_i - \vw^\top \vx…` is not checked: unclosed ( at "
        r"`\big(`"
    ) in model[(17, "unread-math")]
    page = _said(records, "page.md")
    assert (
        r"`K` has no shape: it is declared only after this use (line 8); declare it before "
        r"this use (`K \in \mathbb{R}^{n \times n}`, as line 8 does) (the row using it is not "
        "checked)"
    ) in page[(5, "unknown-shape")]
    notebook = _said(records, "notebook.md")
    assert notebook == {
        (11, "derivative-not-checked"): [
            "this derivative is not checked: it is evaluated at a point, which texgrad does not check"
        ]
    }
    lecture = _said(records, "lecture.tex")
    # P_{k|k-1} = A P_{k-1|k-1} A^T + Q is n×n whatever the undeclared P_{k-1|k-1} and Q
    # (A's rows and columns): what leaves line 9 unchecked is R
    assert lecture[(9, "unknown-shape")] == [
        r"`R` has no shape: it is never declared (its use suggests m rows and m columns); "
        r"declare it, e.g. `R \in \mathbb{R}^{m \times m}` (the 2 rows using it are not checked)"
    ]
    # (P_{k-1|k-1}, filtered, is of the family of the predicted P_{k|k-1} defined n×n on
    # the same line: sized so; what leaves line 8 unchecked is Q)
    assert lecture[(8, "unknown-shape")][0].startswith("`Q` has no shape")
    slides = _said(records, "slides.tex")
    # (\alpha leading the product is read as its scalar coefficient: Ω leaves the row unchecked)
    assert slides[(11, "unknown-shape")] == [
        r"`\Omega` has no shape: it is never declared (its use suggests d rows and d columns); "
        r"declare it, e.g. `\Omega \in \mathbb{R}^{d \times d}` (the row using it is not checked)"
    ]
    # what is checked is not listed: the verified gradients, a declared letter, `I_p`
    assert not any("`\\vw`" in m or "`I" in m for ms in model.values() for m in ms)
    assert not any(INTERNAL.search(str(r["message"])) for r in records)


def test_without_explain_nothing_of_it() -> None:
    _, records = _explained(HELD_OUT, explain=False)
    assert not any(r["code"] in unchecked.CODES for r in records)


def test_a_letter_called_like_a_function_is_an_undefined_function() -> None:
    said = _said(_explained(DOCUMENTS / "gp-blog")[1], "index.md")
    assert (
        "cannot differentiate `K`: `k` is used as a function the document does not define — "
        r"define it, e.g. `k(\mathbf x, \mathbf z) = …`, to differentiate through it"
    ) in said[(19, "cannot-differentiate")]
    assert (19, "unknown-shape") not in said  # (not a letter to declare a shape for)


def test_a_right_side_that_cannot_be_evaluated_says_where_in_its_own_words(
    tmp_path: Path,
) -> None:
    (tmp_path / "mlp.md").write_text(
        "Let $\\mathbf{a} \\in \\mathbb{R}^h$, $W^{(2)} \\in \\mathbb{R}^{c \\times h}$, "
        "$\\mathbf{y} \\in \\mathbb{R}^c$ and\n"
        "$$\\hat{\\mathbf{y}} = W^{(2)}\\mathbf{a}, \\qquad "
        "L = \\tfrac12 \\|\\hat{\\mathbf{y}} - \\mathbf{y}\\|^2 .$$\n"
        "$$\\frac{\\partial L}{\\partial \\mathbf{a}} = W^{(2)} (\\hat{\\mathbf{y}} - \\mathbf{y})$$\n",
        encoding="utf-8",
    )
    code, records = _explained(tmp_path / "mlp.md")
    said = _said(records, "mlp.md")
    # the matmul-mismatch error on that row says it: no note beside it
    assert code == 1 and (3, "derivative-not-checked") not in said
    assert [r["code"] for r in records if r["line"] == 3] == ["matmul-mismatch"]
    # where no error says it (a sum the shape checker reads as broadcasting), the note does
    result = Checker().check(str(tmp_path / "mlp.md"))
    tally = wd.Tally()
    wd.check_written(result, 20, tally=tally, only_findings=True)
    ((_, _, why, _, _),) = tally.undecided
    assert unchecked.claim_reason(why) == (
        "this derivative is not checked: texgrad cannot evaluate its right side (at "
        "`W^{(2)} (\\hat{\\mathbf{y}} - \\mathbf{y})`, the shapes of its factors do not agree)"
    )  # (the random sizes it was tried at are not said)


def test_a_function_of_a_number_is_not_refused_for_a_vector_of_its_letter(
    tmp_path: Path,
) -> None:
    # the z of \phi(z) = 1/(1 + e^{-z}) is a number, though a bold z is declared a vector
    (tmp_path / "act.md").write_text(
        "Let $\\mathbf{z} \\in \\mathbb{R}^h$, $V \\in \\mathbb{R}^{c \\times h}$ and "
        "$\\phi(z) = 1/(1+e^{-z})$.\n"
        "$$\\mathbf{a} = \\phi(\\mathbf{z}), \\qquad \\mathbf{u} = V \\mathbf{a}$$\n",
        encoding="utf-8",
    )
    code, records = _explained(tmp_path / "act.md")
    assert code == 0 and _said(records, "act.md") == {}


def test_undecided_claims_keep_their_reason_and_what_they_differentiate() -> None:
    path = HELD_OUT / "notebook.md"
    result = Checker().check(str(path))
    tally = wd.Tally()
    wd.check_written(result, 20, tally=tally, only_findings=True)
    (claim,) = tally.undecided
    start, end, why, function, wrt = claim
    assert (why, function, wrt) == ("evaluated at a point", r"\ell", r"\mathbf z")
    assert result.doc.text[start:end] == r"\frac{1}{K}\mathbf 1 - \mathbf t"
    assert tally.reasons == {"evaluated at a point": 1}
    # a verdict reused from the cache is still listed (its reason kept by the front)
    cache: wd.Verdicts = {}
    wd.check_written(result, 20, cache=cache, only_findings=True)
    again = wd.Tally()
    wd.check_written(result, 20, tally=again, cache=cache, only_findings=True)
    assert [(a, b, w) for a, b, w, _, _ in again.undecided] == [(start, end, "")]


def test_claim_reasons_in_words() -> None:
    assert unchecked.claim_reason("engine: gave up after 3 s (the time budget)") == (
        "this derivative is not checked: its check ran out of time"
    )
    assert unchecked.claim_reason(
        "engine: the expression does not involve the variable: its derivative is 0", "L", "V"
    ) == (
        "this derivative is not checked: the document gives `L` no formula in `V`, so there "
        "is nothing to check it against"
    )
    shape = r"the shape of `\lambda` is unknown — declare it, e.g. `\lambda > 0`"
    assert unchecked.claim_reason("engine: " + shape).endswith(shape)
    assert unchecked.claim_reason("unknown") == (
        "this derivative is not checked: texgrad cannot differentiate it"
    )
    for why, _ in unchecked._CLAIM_WORDS:  # every reason noted reads as words
        said = unchecked.claim_reason(why)
        assert said.startswith("this derivative is not checked: ") and said.endswith(_)


def test_the_document_sets_say_why_without_a_tree() -> None:
    """Every message ``check --explain`` gives on a sample of the issue-13 documents (every
    fifth), without checking their derivatives: none quotes an internal tree."""
    names = sorted(p for p in DOCUMENTS.iterdir() if p.is_dir())[::5]
    assert len(names) >= 15
    _, records = _explained(*names, more=("--no-derivatives",))
    said = [str(r["message"]) for r in records if r["code"] in unchecked.CODES]
    assert len(said) > 100
    # the explanations (the disabled actions' reasons and the hovers' lines are the same
    # words) and every diagnostic with its notes
    said += [str(r["message"]) for r in records if r["code"] not in unchecked.CODES]
    said += [str(n["message"]) for r in records for n in r["related"]]  # type: ignore[attr-defined]
    assert [s for s in said if INTERNAL.search(s)] == []


def test_a_bare_refusal_says_why(tmp_path: Path) -> None:
    """The engine's bare "cannot differentiate `X`" is said with why (a list or a point, a
    function's name alone, an unknown operator, ±); a point or an interval is no function."""
    doc = tmp_path / "bare.md"
    doc.write_text(
        "Let $x \\in \\mathbb{R}^n$ and $A \\in \\mathbb{R}^{n \\times n}$.\n\n"
        "$$f = x^\\top A x \\pm 1$$\n\n"
        "$$g = \\operatorname{poly}(x^\\top x)$$\n\n"
        "$$(a, b) = (1, 1)$$\n",
        encoding="utf-8",
    )
    said = _said(_explained(doc)[1], "bare.md")
    assert said == {
        (3, "cannot-differentiate"): [
            r"cannot differentiate `f`: cannot differentiate `\pm`: `\pm` stands for two "
            "formulas, not one"
        ],
        (5, "cannot-differentiate"): [
            r"cannot differentiate `g`: cannot differentiate the function `\operatorname{poly}`: "
            r"the document does not define it — define it (`\operatorname{poly}(x) = …`) to "
            "differentiate through it"
        ],
    }


DIMENSIONS = r"""Let $X \in \mathbb{R}^{n \times d_{\text{model}}}$ and
$W^Q, W^K \in \mathbb{R}^{d_{\text{model}} \times d_k}$, with $d_k = d_{\text{model}} / h$,
so $d_{\text{model}} = h d_k$.

$$ Q = X W^Q, \quad K = X W^K, \quad A = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}\right) $$

A shape stated as $n \times d_{\text{model}}$.
"""


def test_a_dimension_s_value_is_a_fact_not_a_function() -> None:
    r"""``d_k = d_{\text{model}}/h`` and ``d_{\text{model}} = h d_k`` state dimensions: no row
    is said to be a function that "refers to itself", and the attention row differentiates."""
    result = Checker().check("doc.md", text=DIMENSIONS)
    said = [u.message for u in unchecked.explain(result)]
    assert not [m for m in said if "refers to itself" in m], said
    assert not [m for m in said if "d_{k}" in m or "d_k" in m], said
    from texgrad.calculus import api

    out = api.diff_at("doc.md", DIMENSIONS, DIMENSIONS.index("A = "), "W^Q")
    assert out.error is None and out.verified, out.error  # (checked at random points)
    assert "\\sqrt{d_k}" in out.result  # d_k a number in it, not expanded by a definition


def test_a_key_is_quoted_as_the_document_writes_it() -> None:
    from texgrad.syntax.symbols import key_text

    assert key_text("d_{(Text '\\\\text{model}')}") == "d_{\\text{model}}"
    assert key_text("x_{(Func:out)}") == "x_{\\mathrm{out}}"
    assert key_text("W^{(l+1)}") == "W^{(l+1)}"


def test_a_function_defined_on_numbers_is_not_said_unchecked(tmp_path: Path) -> None:
    r"""``\sigma(t) = 1/(1+e^{-t})``: its parameter is a number, as the formula reads it
    (applied entrywise to arrays); nothing is said of such a definition, and its row offers
    the derivative by the parameter, checked numerically."""
    doc = tmp_path / "defs.md"
    doc.write_text(
        "Write $\\sigma(t) = 1/(1 + e^{-t})$, $g(u) = u^2 + \\sin u$ and "
        "$h(s) = \\log(1 + e^{s})$.\n\n"
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $q(\\mathbf{x}) = \\mathbf{x}^\\top \\mathbf{x}$.\n",
        encoding="utf-8",
    )
    code, records = _explained(doc)
    assert code == 0
    said = _said(records, "defs.md")
    assert [k for k in said if k[0] == 1] == []  # nothing of the three functions of numbers
    # a function of an undeclared vector still says what to declare (x^T x: of no size;
    # x^T A x would size x by A's columns, its use in the formula)
    assert r"the shape of `\mathbf{x}` is unknown" in said[(3, "cannot-differentiate")][0]
    code, out = run("diff", "--file", str(doc), "--line", "1", "--wrt", "u")
    assert code == 0 and out.strip() == r"2 u + \cos(u)"
    code, out = run("diff", "--file", str(doc), "--line", "1", "--wrt", "t")
    assert code == 0 and "e^{-t}" in out


def test_a_mixed_second_derivative_and_a_named_upstream_gradient_say_why() -> None:
    r"""``\frac{\partial^2 r}{\partial \mathbf x \partial \mathbf z}`` (by two different
    variables, neither transposed: which runs down the rows is not written) is read, to say
    why it is not checked; ``G = \partial L/\partial Y`` names the
    gradient: a definition, said so, not an internal reason."""
    text = (
        r"Let $\mathbf x \in \mathbb{R}^n$, $\mathbf z \in \mathbb{R}^p$, $C \in \mathbb{R}^{n \times p}$,"
        r" $r(\mathbf x, \mathbf z) = \mathbf x^\top C \mathbf z$, $W \in \mathbb{R}^{m \times n}$,"
        r" $Y = W\mathbf x$ and $G = \partial L / \partial Y$." "\n\n"
        r"$$\frac{\partial^2 r}{\partial \mathbf x\, \partial \mathbf z} = C^\top$$" "\n"
    )  # fmt: skip
    said = _undecided_by_line(text)
    assert said == {
        1: "this derivative is not checked: it names the gradient of the loss (a definition, "
        "not a result to check)",
        3: "this derivative is not checked: a second derivative by two different variables is "
        "checked only as written ∂²f/∂x ∂zᵀ (x down the rows, z across the columns)",
    }


def test_a_member_whose_size_no_shape_names_says_so(tmp_path: Path) -> None:
    r"""``H^{(L)}`` of ``H^{(l)} \in \mathbb{R}^{n \times d_l}``: its width ``d_L`` is named by
    no declared shape (it may be n, or the number of classes), so it has no shape, and the
    note says which size is missing (in the document's words)."""
    doc = tmp_path / "layers.md"
    doc.write_text(
        "Let $\\mathbf{H}^{(l)} \\in \\mathbb{R}^{n \\times d_l}$ for $l = 0, \\dots, L$.\n\n"
        "$$y = \\frac{1}{n} \\mathbf{H}^{(L)} \\mathbf{1}_n$$\n",
        encoding="utf-8",
    )
    said = _said(_explained(doc, more=("--no-derivatives",))[1], "layers.md")
    assert said[(3, "unknown-shape")] == [
        "`\\mathbf{H}^{(L)}` has no shape: it is the member of the family `\\mathbf{H}^{(l)}` "
        "whose size `d_L` no declared shape names, so it may be any size; declare it, e.g. "
        "`\\mathbf{H}^{(L)} \\in \\mathbb{R}^{m \\times n}` (the row using it is not checked)"
    ]


def test_a_bare_letter_beside_its_declared_family_is_said_not_guessed(tmp_path: Path) -> None:
    r"""``\mathbf x`` where only the family ``\mathbf x_t \in \mathbb{R}^n`` is declared: the
    note says so, with no guessed shape (its use beside ``A`` would suggest one); a letter
    declared with a subscript that is no index (``\mathbf z_q``) is not a family."""
    doc = tmp_path / "family.md"
    doc.write_text(
        "Let $\\mathbf{x}_t \\in \\mathbb{R}^n$, $\\mathbf{z}_q \\in \\mathbb{R}^n$ and "
        "$A \\in \\mathbb{R}^{m \\times n}$.\n\n"
        "Then $A \\mathbf{x}$ and $A \\mathbf{z}$.\n",
        encoding="utf-8",
    )
    said = _said(_explained(doc, more=("--no-derivatives",))[1], "family.md")
    assert said[(3, "unknown-shape")] == [
        "`\\mathbf{x}` has no shape: it is never declared, only the family `\\mathbf{x}_t` is "
        "(line 1); declare `\\mathbf{x}` itself if it names a quantity of its own (the row using "
        "it is not checked)",
        "`\\mathbf{z}` has no shape: it is never declared (its use suggests a vector of n "
        "entries); declare it, e.g. `\\mathbf{z} \\in \\mathbb{R}^{n}` (the row using it is not "
        "checked)",  # (a bold lowercase letter: a vector, not an n×m matrix)
    ]


def test_a_differential_in_a_named_residual_and_a_stacked_hessian_say_why() -> None:
    r"""``\mathrm d f = \operatorname{tr}(\mathrm dR^\top R)`` with ``R = AX - B`` and ``f``
    written in ``X``: said to be written in the differential of ``R``; ``\nabla^2 \ell =
    2Z^\top Z`` of ``\ell`` a sum over the rows of ``Z``: checked (and right)."""
    text = (
        r"Let $A \in \mathbb{R}^{m \times n}$, $X \in \mathbb{R}^{n \times p}$, "
        r"$B \in \mathbb{R}^{m \times p}$, $f(X) = \|AX - B\|_F^2$ and $R = AX - B$." "\n\n"
        r"$$\mathrm d f = 2\operatorname{tr}(R^\top \mathrm dR)$$" "\n\n"
        r"Let $Z \in \mathbb{R}^{N \times d}$ be the design matrix, whose $i$-th row is "
        r"$\mathbf z_i^\top$, let $\mathbf y \in \mathbb{R}^N$, $\mathbf w \in \mathbb{R}^d$ and"
        "\n"
        r"$$\ell(\mathbf w) = \sum_{i=1}^N (\mathbf z_i^\top \mathbf w - y_i)^2 .$$" "\n\n"
        r"$$\nabla^2 \ell(\mathbf w) = 2Z^\top Z$$" "\n"
    )  # fmt: skip
    said = _undecided_by_line(text)
    assert said[3] == (
        "this derivative is not checked: it is written in the differential of a name the "
        "document defines, and the function is not written in that name: `R`"
    )
    # (the Hessian of a sum over samples written with the stacked matrix is checked now, and
    # 2ZᵀZ is right: nothing said of it, and no finding)
    assert 8 not in said
    found = wd.check_written(Checker().check("doc.md", text=text), seconds=60.0)
    assert [text.count("\n", 0, f.start) + 1 for f in found] == []


def test_a_defined_function_is_no_letter_of_unknown_shape_and_a_shape_error_is_said_once(
    tmp_path: Path,
) -> None:
    r"""``K(\theta) = \|\theta\|^2`` defines K (a letter papers do not conventionally use for
    a function): its later uses are checked, not said to have no shape; a row whose
    product does not agree gets its error alone, not also "cannot differentiate"."""
    doc = tmp_path / "defs.md"
    doc.write_text(
        "Let $\\theta \\in \\mathbb{R}^d$, $\\lambda > 0$, $P \\in \\mathbb{R}^{n \\times d}$ "
        "and $Q \\in \\mathbb{R}^{n \\times n}$.\n"
        "Let $K(\\theta) = \\|\\theta\\|^2$.\n\n"
        "Then $G(\\theta) = K(\\theta) + \\lambda\\|\\theta\\|^2$ and $y = K(\\theta) + 1$.\n\n"
        "A slip: $b = P Q \\theta$.\n",
        encoding="utf-8",
    )
    code, records = _explained(doc)
    assert code == 1
    said = _said(records, "defs.md")
    assert not [k for k in said if k[1] == "unknown-shape"]
    errors = [r for r in records if r["severity"] == "error"]
    assert [(r["line"], r["code"]) for r in errors] == [(6, "matmul-mismatch")]
    assert (6, "cannot-differentiate") not in said


def test_a_shifted_member_is_named_whole_never_as_its_letter(tmp_path: Path) -> None:
    r"""``\delta^{(l+1)}`` (the parser leaves a signed label a power of ``\delta``): of no
    declared family it is what has no shape, quoted whole; as a member of a declared family
    (``W^{(l+1)}`` of ``W^{(l)}``, ``\delta^{(l+1)}`` of ``\delta^{(l)}``) it has one, and no
    note says its letter is never declared (beside an error that sizes it)."""
    doc = tmp_path / "backprop.md"
    doc.write_text(
        "Let $W^{(l)} \\in \\mathbb{R}^{n_l \\times n_{l-1}}$ and $a^{(l)} \\in \\mathbb{R}^{n_l}$."
        "\n\n$$q = W^{(l+1)} a^{(l)} + \\delta^{(l+1)}$$\n\n"
        "Let $\\varepsilon^{(l)} \\in \\mathbb{R}^{n_l}$.\n\n"
        "$$e = W^{(l)} \\varepsilon^{(l+1)}$$\n",
        encoding="utf-8",
    )
    code, records = _explained(doc, more=("--no-derivatives",))
    said = _said(records, "backprop.md")
    assert said[(3, "unknown-shape")] == [
        "`\\delta^{(l+1)}` has no shape: it is never declared; declare it, e.g. "
        "`\\delta^{(l+1)} \\in \\mathbb{R}` or `\\delta^{(l+1)} \\in \\mathbb{R}^n` "
        "(the row using it is not checked)"
    ]
    assert (7, "unknown-shape") not in said
    errors = [(r["line"], r["code"]) for r in records if r["severity"] == "error"]
    assert (code, errors) == (1, [(7, "matmul-mismatch")])


def test_a_space_or_set_a_letter_is_in_is_no_operand(tmp_path: Path) -> None:
    r"""``p \in \Delta^{n-1} = \{ p \in \mathbb{R}^n : \dots \}``: what follows ``\in`` is the
    simplex and the set it is, no letter of unknown shape (no note that ``\Delta`` is never
    declared); a letter of unknown shape used on p still has its note."""
    doc = tmp_path / "simplex.md"
    doc.write_text(
        "Let $p \\in \\Delta^{n-1} = \\{ p \\in \\mathbb{R}^n : p \\ge 0, \\ "
        "\\mathbf{1}^\\top p = 1 \\}$ and $q \\in \\Delta^{n-1}$.\n\n$$y = V p + q$$\n",
        encoding="utf-8",
    )
    said = _said(_explained(doc, more=("--no-derivatives",))[1], "simplex.md")
    assert [k for k in said if k[1] == "unknown-shape"] == [(3, "unknown-shape")]
    assert said[(3, "unknown-shape")][0].startswith("`V` has no shape: it is never declared")


def test_a_set_written_after_in_is_no_letter_of_unknown_shape(tmp_path: Path) -> None:
    r"""``Q \in \mathbf{S}_+^n``, ``R \in \mathcal{S}_{++}^m``: the set declares, so the note
    names only the letter the document leaves unsized (``z``), not the sets."""
    doc = tmp_path / "lqr.md"
    doc.write_text(
        "Let $Q \\in \\mathbf{S}_+^n$, $R \\in \\mathcal{S}_{++}^m$, $W \\in \\mathbf{S}^n$ and "
        "$B \\in \\mathbf{R}^{n \\times m}$.\n\nThen $B^\\top Q B + R$ and $z^\\top W z$.\n",
        encoding="utf-8",
    )
    said = _said(_explained(doc, more=("--no-derivatives",))[1], "lqr.md")
    assert [key for key in said if key[1] == "unknown-shape"] == [(3, "unknown-shape")]
    assert said[(3, "unknown-shape")][0].startswith("`z` has no shape")


def test_a_greek_coefficient_the_check_reads_as_a_scalar_is_not_said_to_have_no_shape() -> None:
    r"""``A x + \beta x``: the undeclared β leading a product is read as its scalar coefficient
    (and the sum found wrong); the explanation does not say it "has no shape" and that the
    row is not checked, which contradicted the error. A capital ``B`` there is unknown."""
    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$ and $x \\in \\mathbb{R}^n$.\n\n"
        "Then $A x + \\beta x$ and $A x + B x$.\n"
    )
    checked = Checker().check("doc.md", text=text)
    assert [d.code for d in checked.diagnostics] == ["add-mismatch"]
    said = [u.message for u in unchecked.unknown_letters(checked)]
    assert len(said) == 1 and said[0].startswith("`B` has no shape"), said


def test_a_plain_small_letter_before_a_matrix_is_suggested_a_scalar(tmp_path: Path) -> None:
    r"""``\det(sX)`` with ``s`` undeclared: its use (before an n×n matrix) tells only its
    columns, but a plain small letter there is a coefficient — suggested ``s \in \mathbb{R}``,
    not a matrix of n columns (issue 15); a capital stays a matrix of n columns."""
    doc = tmp_path / "doc.md"
    doc.write_text(
        "Let $X \\in \\mathbb{R}^{n \\times n}$ be invertible.\n\n"
        "Then $\\frac{\\partial}{\\partial X}\\det(sX) = s\\det(X)X^{-\\top}$.\n\n"
        "And $Y = \\Phi X$.\n"
    )
    _, records = _explained(doc)
    said = _said(records, "doc.md")
    assert said[(3, "derivative-not-checked")] == [
        "this derivative is not checked: texgrad could check it only with shapes guessed from "
        "its letters: the document never declares `s`; declare it, e.g. `s \\in \\mathbb{R}`"
    ]
    assert any(
        "`\\Phi` has no shape: it is never declared (its use suggests n columns)" in m
        for m in said[(5, "unknown-shape")]
    )


def test_a_size_and_a_summation_index_are_not_letters_to_declare(tmp_path: Path) -> None:
    r"""``B`` of ``\mathbb{R}^{B \times D}`` used as a number (``\frac1B``) and ``i`` of
    ``\sum_{i=1}^{B}`` are not named among the letters to declare (they were, with the
    suggestion `B \in \mathbb{R}^{n \times n}`): only the undeclared ``c`` is."""
    doc = tmp_path / "doc.md"
    doc.write_text(
        "Let $X \\in \\mathbb{R}^{B \\times D}$ and $\\mathbf w \\in \\mathbb{R}^D$.\n\n"
        "Then $\\frac{\\partial}{\\partial \\mathbf w} \\frac{1}{B}\\sum_{i=1}^{B} c \\mathbf "
        "w^\\top \\mathbf w = \\frac{2}{B}\\sum_{i=1}^{B} c \\mathbf w$.\n"
    )
    _, records = _explained(doc)
    said = _said(records, "doc.md")
    assert said[(3, "derivative-not-checked")] == [
        "this derivative is not checked: texgrad could check it only with shapes guessed from "
        "its letters: the document never declares `c`; declare it, e.g. `c \\in \\mathbb{R}`"
    ]
