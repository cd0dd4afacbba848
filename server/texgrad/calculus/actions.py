r"""The differentiation actions a front offers at a place, and what taking one writes.

For each planned differentiation (:class:`~texgrad.calculus.api.DiffPlan`) and its
outcome, an :class:`Offer` titled as an editor shows it — "Differentiate f w.r.t. x
(gradient)", "Hessian of f w.r.t. x", "Show derivation of ∇ₓf" — saying "not verified"
unless the result was verified (an outcome not ready in time is not); a failed one is not
offered as such, but listed disabled with its reason (:func:`disabled_offers`); a sum over
samples with a verified matrix form (``2X^\top(Xw - y)``) is also offered in that form,
"Differentiate L w.r.t. w (matrix form)"; :func:`numpy_copies` offers verified results as
NumPy code to copy.  :func:`writing` turns a taken offer and its outcome into the text to insert
(:mod:`texgrad.calculus.insertion`).

Plain values: texts, offsets and the engine's outcomes; no protocol.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from texgrad.calculus.insertion import (
    Insertion,
    code_insertion,
    derivation_insertion,
    differential_spelling,
    function_label,
    left_side,
    macro_differential,
    notation_of,
    result_insertion,
    spelled_as,
)
from texgrad.calculus.requests import Asked, asked_at
from texgrad.calculus.steps import unnamed
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

if TYPE_CHECKING:  # the engine (numpy, scipy) is imported on first use: a faster start
    from texgrad.calculus.api import DiffOutcome, DiffPlan
    from texgrad.calculus.refusals import Refusal
    from texgrad.shapes.check import CheckResult  # (and the checker: sympy; see workspace)

KIND_NAMES = {
    "gradient": "gradient",
    "jacobian": "Jacobian",
    "derivative": "derivative",
    "matrix": "differential",
    "hessian": "Hessian",
}
_SUBSCRIPTS = dict(zip("aehijklmnoprstuvx0123456789", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₀₁₂₃₄₅₆₇₈₉", strict=True))


@dataclass(frozen=True, slots=True)
class Offer:
    """One action offered: its title and what taking it needs."""

    title: str
    mode: str  # "result", "hessian", "matrix-form" (of a sum over samples), "show",
    # "derivation", or "numpy" / "numpy-hessian" / "numpy-matrix-form" (the code)
    wrt: str  # the variable as the document writes it
    row_start: int
    row_text: str  # the row when offered: taken on another text, it is refused
    head: str  # what is differentiated: "f" of ``f(x) = …``, "L" of ``L = …``, else ""


@dataclass(frozen=True, slots=True)
class Writing:
    insertion: Insertion
    equation: str | None  # the result equation written (None for a derivation)


def offers(
    result: CheckResult, done: Iterable[tuple[DiffPlan, str, DiffOutcome | None]]
) -> list[Offer]:
    """The offers for planned differentiations in a checked document, each given with its
    mode ("result" or "hessian") and outcome (None: not ready); the derivations come
    after the results: first to show (mode "show", displayed beside the document, which
    stays as it is), then to insert (mode "derivation")."""
    text = result.doc.text
    found: list[Offer] = []
    shown: list[Offer] = []  # "Show derivation": displayed, the document unchanged
    derivations: list[Offer] = []  # "Insert derivation": written after the math
    for plan, mode, outcome in done:
        if outcome is not None and outcome.error is not None:
            continue
        verified = outcome is not None and outcome.verified
        head = plan.function or defined_head(result, plan.row_start)
        row_text = text[plan.row_start : plan.row_end]
        label = head or _short(row_text)
        if mode == "hessian":
            title = f"Hessian of {label} w.r.t. {plan.wrt}" + (
                "" if verified else " (not verified)"
            )
        else:
            suffix = "" if verified else ", not verified"
            title = f"Differentiate {label} w.r.t. {plan.wrt} ({KIND_NAMES[plan.kind]}{suffix})"
        where = (plan.wrt, plan.row_start, row_text, head)
        found.append(Offer(title, mode, *where))
        if mode == "result" and verified and outcome is not None and outcome.matrix_form:
            # a sum over samples whose stacked matrix is declared: 2X^T(Xw - y) beside it
            title = f"Differentiate {label} w.r.t. {plan.wrt} (matrix form)"
            found.append(Offer(title, "matrix-form", *where))
        if mode == "result":
            sym = _symbol(plan.kind, head or _unnamed_at(result, plan.row_start), plan.wrt)
            mark = "" if verified else " (not verified)"
            shown.append(Offer(f"Show derivation of {sym}{mark}", "show", *where))
            inserted = f"Insert derivation of {sym}{mark}"
            derivations.append(Offer(inserted, "derivation", *where))
    return found + shown + derivations


@dataclass(frozen=True, slots=True)
class CodeCopy:
    """A result offered as NumPy code to copy: "Copy ∇ₓf as NumPy"."""

    title: str
    code: str
    what: str  # the result's name, for the message once copied


def numpy_copies(
    result: CheckResult, done: Iterable[tuple[DiffPlan, str, DiffOutcome | None]]
) -> list[CodeCopy]:
    """The verified results among planned differentiations (each with its mode and outcome,
    None: not ready) that have NumPy code: the code of an unverified one is not offered."""
    found: list[CodeCopy] = []
    for plan, mode, outcome in done:
        if outcome is None or outcome.error is not None or not outcome.verified:
            continue
        if not outcome.numpy:
            continue
        head = plan.function or defined_head(result, plan.row_start)
        head = head or _unnamed_at(result, plan.row_start)  # (as the derivation names it)
        if mode == "hessian":
            what = f"the Hessian of {head} w.r.t. {plan.wrt}"
        else:
            what = _symbol(plan.kind, head, plan.wrt)
        title = f"Copy {what} as NumPy"
        found.append(CodeCopy(title, outcome.numpy, what))
        if mode == "result" and outcome.matrix_form and outcome.matrix_numpy:
            matrix = f"{what} in matrix form"
            found.append(
                CodeCopy(f"Copy {what} (matrix form) as NumPy", outcome.matrix_numpy, matrix)
            )
    return found


def numpy_insertions(
    result: CheckResult, done: Iterable[tuple[DiffPlan, str, DiffOutcome | None]]
) -> list[Offer]:
    """For a Markdown document, in an editor that cannot copy: the verified results with
    NumPy code, offered to insert as a fenced ``python`` block after their math."""
    if result.doc.format != "markdown":
        return []
    text = result.doc.text
    found: list[Offer] = []
    for plan, mode, outcome in done:
        copies = numpy_copies(result, [(plan, mode, outcome)])
        if not copies:
            continue
        row_text = text[plan.row_start : plan.row_end]
        head = plan.function or defined_head(result, plan.row_start)
        numpy_mode = "numpy-hessian" if mode == "hessian" else "numpy"
        title = f"Insert {copies[0].what} as NumPy code"
        found.append(Offer(title, numpy_mode, plan.wrt, plan.row_start, row_text, head))
        for copy in copies[1:]:  # the matrix form's
            title = f"Insert {copy.what} as NumPy code"
            found.append(
                Offer(title, "numpy-matrix-form", plan.wrt, plan.row_start, row_text, head)
            )
    return found


def writing(
    offer: Offer, outcome: DiffOutcome, result: CheckResult, fmt: str, notation: str
) -> Writing | None:
    """What taking ``offer`` writes into the checked document, after the math its row is
    in (None: no math there any more); ``notation`` is the gradient notation setting."""
    region = next((r for r in result.doc.regions if r.start <= offer.row_start <= r.end), None)
    if region is None:
        return None
    text = result.doc.text
    if offer.mode == "derivation":
        return Writing(derivation_insertion(text, fmt, region, outcome.steps), None)
    if offer.mode in ("numpy", "numpy-hessian", "numpy-matrix-form"):
        code = outcome.matrix_numpy if offer.mode == "numpy-matrix-form" else outcome.numpy
        return Writing(code_insertion(text, region, code), None) if code else None
    kind = "hessian" if offer.mode == "hessian" else outcome.kind
    label = function_label("", offer.head, outcome.function)
    shown = outcome.matrix_form if offer.mode == "matrix-form" else outcome.result
    if not shown:
        return None
    lhs = left_side(kind, label, outcome.wrt or offer.wrt, notation_of(text, notation), shown)
    line = f"{lhs} = {shown}"
    if outcome.where:  # the names the result gives its long parts
        line += " \\quad \\text{where } " + ",\\; ".join(outcome.where)
    row_end = offer.row_start + len(offer.row_text)
    return Writing(result_insertion(text, fmt, region, offer.row_start, row_end, line), line)


AT_ONCE = 2  # variables offered at once where the row names no argument


def likely(
    plans: list[DiffPlan], text: str, start: int, end: int
) -> tuple[list[DiffPlan], list[DiffPlan]]:
    r"""The plans to offer at once, and the rest, offered under one grouped entry.

    LSP has no submenu ("More…" is not a code action); a client lists every action flat.
    So the list stays short by offering at once only the most likely variables: the
    arguments the row names (``\ell(\mathbf{w}) = …``: w, not the data X and y), else the
    first :data:`AT_ONCE` in order of appearance, and always the variable under the cursor
    or selection (the range is the variable itself: that one is meant), all of them first.
    A list of :data:`AT_ONCE` + 1 variables or fewer is short already.  The rest are one
    entry, "Differentiate ℓ w.r.t. another symbol… (y, X)", which asks which one with
    ``window/showMessageRequest`` (the one pick list every client implements: buttons in VS
    Code, a numbered list in Neovim, a completing read in Emacs).  A single rest is simply
    offered too: a group of one is no shorter.
    """
    at_cursor = [p for p in plans if _under(text, p, start, end)]
    named = [p for p in plans if p.argument]
    first = named or plans[:AT_ONCE]
    chosen = [*at_cursor, *(p for p in first if p not in at_cursor)]
    rest = [p for p in plans if p not in chosen]
    if len(plans) <= AT_ONCE + 1 or len(rest) <= 1:  # short already
        return chosen + rest, []
    return chosen, rest


def _under(text: str, plan: DiffPlan, start: int, end: int) -> bool:
    """Whether [start, end] lies in an occurrence of the plan's variable in its row."""
    w = plan.wrt
    i = text.find(w, plan.row_start, plan.row_end)
    while i >= 0:
        before = text[i - 1] if i > 0 else " "
        after = text[i + len(w)] if i + len(w) < len(text) else " "
        whole = not (before.isalpha() or before == "\\") and not (
            w[-1].isalpha() and after.isalpha()
        )
        if whole and i <= start and end <= i + len(w) and (start < i + len(w) or start == end):
            return True
        i = text.find(w, i + 1, plan.row_end)
    return False


def others_title(result: CheckResult, rest: list[DiffPlan]) -> str:
    """The grouped entry's title: "Differentiate ℓ w.r.t. another symbol… (y, X)"."""
    plan = rest[0]
    text = result.doc.text
    head = plan.function or defined_head(result, plan.row_start)
    label = head or _short(text[plan.row_start : plan.row_end])
    return f"Differentiate {label} w.r.t. another symbol… ({', '.join(p.wrt for p in rest)})"


def choice_title(plan: DiffPlan) -> str:
    """A choice of the grouped entry, with its kind: "X (gradient)"."""
    return f"{plan.wrt} ({KIND_NAMES[plan.kind]})"


def derivation_title(offer: Offer, outcome: DiffOutcome) -> str:
    """The heading of a shown derivation: "Derivation of ∇ₓf" (the offer's title without
    its verb and its "(not verified)": whether it was verified is said below it)."""
    title = offer.title.removeprefix("Show ").removesuffix(" (not verified)")
    return title[:1].upper() + title[1:]


def defined_head(result: CheckResult, row_start: int) -> str:
    """``L`` for a row ``L = …`` (not a function definition), else ""."""
    text = result.doc.text
    row = next((r for r in result.rows if r.start == row_start), None)
    tree = row.tree if row is not None else None
    if isinstance(tree, t.Chain) and tree.relations and tree.relations[0] in ("=", ":="):
        head = tree.items[0]
        if head is not None and not isinstance(head, t.Apply) and symbol_key(head) is not None:
            return text[head.start : head.end].strip()
    return ""


def _unnamed_at(result: CheckResult, row_start: int) -> str:
    """What the derivation calls an expression its row does not name (``f``, or another
    letter where the row or the document's definitions use ``f``: steps.unnamed)."""
    row = next((r for r in result.rows if r.start == row_start), None)
    defined = set()  # the heads of the document's definitions f(x) = …
    for r in result.rows:
        tree = r.tree
        if isinstance(tree, t.Chain) and tree.relations and tree.relations[0] in ("=", ":="):
            head = tree.items[0]
            key = symbol_key(head.func) if isinstance(head, t.Apply) else None
            defined |= {key[0]} if key is not None else set()
    return unnamed(row.tree if row is not None else None, defined)


def _short(latex: str, limit: int = 24) -> str:
    one = " ".join(latex.split())
    return one if len(one) <= limit else "the expression"


def _symbol(kind: str, f: str, wrt: str) -> str:
    if kind == "gradient":
        sub = _SUBSCRIPTS.get(wrt) if len(wrt) == 1 else None
        return f"∇{sub}{f}" if sub else f"∇_{wrt} {f}"
    if kind in ("jacobian", "derivative"):
        return f"∂{f}/∂{wrt}"
    if kind == "hessian":  # (a row writing ∇²: its result is the Hessian)
        sub = _SUBSCRIPTS.get(wrt) if len(wrt) == 1 else None
        return f"∇²{sub}{f}" if sub else f"∇²_{wrt} {f}"
    # the differential names its variable: a row offers one per variable ("df w.r.t. X",
    # "df w.r.t. A"), which a menu must tell apart
    return f"d{f} w.r.t. {wrt}"


# -- "Evaluate ∂ tr(AB)/∂A": a derivative written to be computed (requests.py) ----------


def evaluate_title(asked: Asked, outcome: DiffOutcome | None) -> str | None:
    """The title "Evaluate ∂ tr(AB)/∂A" for ``asked`` and its outcome (None: not ready),
    saying "not verified" unless it was; None when there is nothing to offer (an error)."""
    if outcome is not None and (outcome.error is not None or not _evaluates(asked, outcome)):
        return None
    verified = outcome is not None and outcome.verified
    return f"Evaluate {asked.title}" + ("" if verified else " (not verified)")


def evaluation(result: CheckResult, row_start: int, outcome: DiffOutcome) -> Writing | None:
    r"""What taking "Evaluate …" on the row at ``row_start`` writes: `` = B^\top`` after the
    request (`` B^\top`` after its empty ``=``), with the names the result gives its long
    parts; None when the row holds no request any more."""
    asked = asked_at(result, row_start)
    if asked is None or outcome.error is not None or not outcome.result:
        return None
    if not _evaluates(asked, outcome):
        return None
    text = result.doc.text
    row = text[asked.row_start : asked.row_end]  # \mathrm dX where the document writes it so
    spelling = (
        differential_spelling(row) or macro_differential(row, text) or differential_spelling(text)
    )
    value = spelled_as(outcome.result, spelling)
    if outcome.where:
        value += " \\quad \\text{where } " + ",\\; ".join(outcome.where)
    written = f" {value}" if asked.equals else f" = {value}"
    equation = text[asked.row_start : asked.at].strip() + written
    return Writing(Insertion(asked.at, written), equation)


def _evaluates(asked: Asked, outcome: DiffOutcome) -> bool:
    r"""Whether the outcome is the value of what was asked: the differential dF of a
    matrix-valued F answers ``\mathrm{d}(F)``, never ``\frac{\partial F}{\partial X}``."""
    return (outcome.kind == "matrix") == asked.differential


@dataclass(frozen=True, slots=True)
class Disabled:
    """An action listed but disabled, with the reason an editor shows for it."""

    title: str
    reason: str


def disabled_offers(
    result: CheckResult,
    done: Iterable[tuple[DiffPlan, str, DiffOutcome | None]],
    refusal: Refusal | None = None,
) -> list[Disabled]:
    """The differentiations that failed (each planned one with its mode and outcome), and
    a row that offers none (``refusal``), as disabled actions with their reasons (quoting
    the document's own spelling)."""
    from texgrad.calculus.quotes import in_document_words

    text = result.doc.text
    found: list[Disabled] = []
    if refusal is not None:
        label = refusal.head or _short(text[refusal.row_start : refusal.row_end])
        found.append(Disabled(refusal.action or f"Differentiate {label}", refusal.reason))
    for plan, mode, outcome in done:
        if outcome is None or outcome.error is None:
            continue
        label = plan.function or defined_head(result, plan.row_start)
        label = label or _short(text[plan.row_start : plan.row_end])
        if mode == "hessian":
            title = f"Hessian of {label} w.r.t. {plan.wrt}"
        else:
            title = f"Differentiate {label} w.r.t. {plan.wrt} ({KIND_NAMES[plan.kind]})"
        reason = in_document_words(outcome.error, result, plan.row_start, plan.row_end)
        found.append(Disabled(title, reason))
    return found
