r"""Derivatives written to be computed: a request without a right side.

``\frac{\partial \operatorname{tr}(AB)}{\partial A}``, ``\nabla_X \log\det X``,
``\frac{\partial}{\partial \mathbf x}\|A\mathbf x\|^2``, ``\frac{\mathrm d}{\mathrm dt}(…)``,
``\partial f/\partial x``, ``\partial_x f``, ``\nabla f(\mathbf x)`` — alone in a row or on the
left of an empty ``=`` — ask for a derivative: :func:`request_in` reads what is
differentiated, by what, and whether it is a second derivative (``\frac{\partial^2 f}{\partial
\mathbf x \partial \mathbf x^\top}``, ``\nabla^2_{\mathbf x} f``: the Hessian).  An operator
written before a product (``\nabla_x \frac{1}{2}\|Ax - b\|^2``) applies to all of it.

:func:`asked_at` finds a request in a checked document's row for an editor, titled in the
document's notation (``∂ tr(AB)/∂A``); :mod:`~texgrad.calculus.actions` offers it ("Evaluate
∂ tr(AB)/∂A") and writes `` = B^\top`` after it.

Pure: syntax trees, texts and offsets; no engine (the fronts import it at start).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.symbols import member_key

if TYPE_CHECKING:  # (the checker, and sympy, load after the server has started)
    from texgrad.shapes.check import CheckResult


@dataclass(frozen=True, slots=True)
class Request:
    """A derivative asked for: of ``body`` with respect to ``wrt`` (a node of the same
    text); ``problem``: why it cannot be answered (a mixed second derivative, …)."""

    node: t.Node  # the request as written (its source range)
    body: t.Node | None
    wrt: t.Node | None
    hessian: bool = False
    problem: str | None = None
    differential: bool = False  # \mathrm{d}(X^{-1}): dF, by the variable it involves


_REQUESTS = (t.Derivative, t.Nabla, t.Partial)

# the problem of a ∇ that says no variable and applies to no f(x) (∇²(ℓ(β) + λ‖β‖²)): a
# variable given (``--wrt``) or found by the caller answers it
NO_VARIABLE_SAID = "say with respect to what (e.g. `\\nabla_x f`)"


def request_in(tree: t.Node | None) -> Request | None:
    """The derivative ``tree`` asks for: the row is a derivative alone (or a product it
    starts as an operator), or one on the left of an ``=`` with nothing on its right."""
    if isinstance(tree, t.Chain):
        if len(tree.items) != 2 or tree.relations not in (("=",), ("&=",)):
            return None
        if tree.items[1] is not None and not isinstance(tree.items[1], t.Empty):
            return None
        tree = tree.items[0]
    if isinstance(tree, t.Neg) and (request := request_in(tree.operand)) is not None:
        if request.body is None:  # -\nabla_X f: the derivative of -f
            return request
        body = t.Neg(operand=request.body, sign=tree.sign, start=tree.start, end=request.body.end)
        return Request(tree, body, request.wrt, request.hessian, request.problem)
    if isinstance(tree, t.Product) and tree.factors and _operator(tree.factors[0]):
        op = tree.factors[0]
        body = op.body  # type: ignore[attr-defined]
        rest = tree.factors[1:]
        whole = (
            t.Product(factors=(body, *rest), start=body.start, end=rest[-1].end) if rest else body
        )
        return _read(op, whole, tree)
    if isinstance(tree, _REQUESTS):
        return _read(tree, tree.body, tree)
    if isinstance(tree, t.Differential) and isinstance(tree.body, (t.Paren, t.Delimited)):
        return Request(tree, tree.body, None, differential=True)  # \mathrm{d}(X^{-1})
    if tree is not None and _upright_d_of(tree):  # \mathrm d(X^{-1}): read as d times a parenthesis
        assert isinstance(tree, t.Product)
        return Request(tree, tree.factors[1], None, differential=True)
    return None


def _upright_d_of(node: t.Node) -> bool:
    r"""``\mathrm d(X^{-1})`` (``\mathrm d`` taking one token, the parser reads an upright
    ``d`` before a parenthesis: a product)."""
    return (
        isinstance(node, t.Product)
        and len(node.factors) == 2
        and isinstance(d := node.factors[0], t.Symbol)
        and (d.name, d.font, d.accents) == ("d", "mathrm", ())
        and isinstance(node.factors[1], (t.Paren, t.Delimited))
    )


def _operator(node: t.Node) -> bool:
    r"""An operator written before what it applies to: ``\nabla_x``, ``\partial_x``,
    ``\frac{\partial}{\partial x}`` (its body after its denominator)."""
    if isinstance(node, t.Derivative):
        return node.body is not None and bool(node.wrt) and node.body.start >= node.wrt[-1].end
    return isinstance(node, (t.Nabla, t.Partial)) and node.body is not None


def _read(op: t.Node, body: t.Node | None, whole: t.Node) -> Request | None:
    if body is None:
        return None
    order = _order(getattr(op, "order", None))
    if order is None or order > 2:
        return Request(whole, body, None, problem="only first and second derivatives are computed")
    if isinstance(op, t.Derivative):
        wrts = [_variable(w) for w in op.wrt]
        if len(wrts) == 1 and order == 2 and isinstance(op.wrt[0], t.Power):
            wrts = [wrts[0], wrts[0]]  # \partial x^2
        if len(wrts) != order:
            return Request(whole, body, None, problem="the request's order and variables differ")
        if order == 1 and isinstance(op.wrt[0], t.Power) and wrts[0] is not op.wrt[0]:
            # \frac{\partial}{\partial \sigma^2}: by the variance, not by \sigma (which would be
            # 2\sigma times it): not computed, rather than the derivative by \sigma
            return Request(whole, body, None, problem=_BY_A_POWER.format(latex_of(op.wrt[0])))
        if order == 2 and _key(wrts[0]) != _key(wrts[1]):
            return Request(
                whole, body, None, problem="a mixed second derivative is not computed yet"
            )
        return Request(whole, body, wrts[0], hessian=order == 2)
    wrt = getattr(op, "wrt", None)
    if wrt is None and isinstance(body, t.Apply) and len(body.args) == 1:
        wrt = body.args[0]  # \nabla f(\mathbf x)
    if wrt is None:
        return Request(whole, body, None, hessian=order == 2, problem=NO_VARIABLE_SAID)
    return Request(whole, body, _variable(wrt), hessian=order == 2)


_BY_A_POWER = (
    "a derivative with respect to a power, `{}`, is not computed yet (by its base it is not "
    "the same derivative)"
)


def _order(node: t.Node | None) -> int | None:
    if node is None:
        return 1
    if isinstance(node, t.Number) and node.text.isdigit():
        return int(node.text)
    return None


def _variable(node: t.Node) -> t.Node:
    r"""``x`` of ``\partial x^\top`` and ``\partial x^2``."""
    if isinstance(node, t.Transpose):
        return node.base
    if isinstance(node, t.Power) and isinstance(node.exponent, t.Number):
        return node.base
    return node


def _key(node: t.Node | None) -> str | None:
    k = member_key(node) if node is not None else None
    return k[0] if k is not None else None


def written_derivative(tree: t.Node | None) -> Request | None:
    r"""The left side of a derivative a row writes with its value
    (``\frac{\partial f}{\partial X} = X^{-\top}``, ``\nabla_{\mathbf w} g = …``): an
    equation whose first side is a request, or whose first side names the second
    (``H = \nabla^2 f(\mathbf x) = …``); None for any other row."""
    if not isinstance(tree, t.Chain) or not tree.items or tree.items[0] is None:
        return None
    if any(r != "=" for r in tree.relations):
        return None
    first = request_in(tree.items[0])
    if first is None and len(tree.items) > 2 and _key(tree.items[0]) is not None:
        return request_in(tree.items[1])  # H = \nabla^2 f(\mathbf x) = …: the one it names
    return first


def row_request(tree: t.Node | None, wrt: str | None) -> Request | None:
    r"""The one reading of what a row asks to differentiate by the variable whose key is
    ``wrt`` (None: no variable said): a derivative written to be computed
    (``\frac{\partial f}{\partial X}`` alone or before an empty ``=``), else the derivative
    the row writes with its value where it is by ``wrt`` (or none is said) — asked by X,
    ``\frac{\partial f}{\partial X} = …`` asks for ∂f/∂X, not for the differential of the
    value written; None where the row's value itself is differentiated (by another
    variable of it).  What an editor titles an action and what taking it inserts are both
    read here (:mod:`~texgrad.calculus.planning`, :mod:`~texgrad.calculus.api`)."""
    request = request_in(tree)
    if request is not None:
        return request
    written = written_derivative(tree)
    if written is None:
        return None
    if wrt is None or (wrt != "" and _key(written.wrt) == wrt):
        return written
    if wrt != "" and written.problem == NO_VARIABLE_SAID:  # ∇²(ℓ(β) + …) = …, by β given
        return written
    return None


def resolved(request: Request, text: str, wrt: str, wrt_node: t.Node | None) -> tuple[str, str]:
    """The variable of ``request`` as ``text`` writes it, and why it cannot be answered
    ("" when it can): ``wrt`` given (its tree ``wrt_node``) must be the request's own."""
    if request.problem == NO_VARIABLE_SAID and wrt.strip():  # ∇²(…) and --wrt β: by β
        return wrt.strip(), ""
    if request.problem is not None:
        return "", f"`{source(text, request.node)}`: {request.problem}"
    if request.wrt is None:  # \mathrm{d}(…): by the variable given, else the one it involves
        return wrt.strip(), ""
    own = source(text, request.wrt)
    indices = _entry_indices(own)
    if indices and wrt.strip() and _key(wrt_node) not in (None, own) and "_" not in wrt:
        return f"{wrt.strip()}_{{{indices}}}", ""  # \partial_{ij} by A: by the entry A_{ij}
    if _key(request.wrt) is None and indices:
        return "", (
            f"`{source(text, request.node)}`: `{own}` are indices, not a variable: say the "
            f"matrix whose entry it is by (`\\partial_{{A_{{{indices}}}}}`, or --wrt A)"
        )
    if _key(request.wrt) is None:
        return "", f"`{source(text, request.node)}`: `{own}` is not a variable"
    as_written = "".join(own.split()) == "".join(wrt.split())  # \mA, the document's macro
    if wrt.strip() and _key(wrt_node) != _key(request.wrt) and not as_written:
        return "", (
            f"`{source(text, request.node)}` is a derivative with respect to `{own}`, "
            f"not `{wrt.strip()}`"
        )
    return own, ""


def differential_variable(request: Request, text: str, declared: set[str]) -> tuple[str, str]:
    """The variable ``\\mathrm{d}(…)`` is taken by (as ``text`` writes it): the one declared
    variable it involves; else why it is not said ("", the reason)."""
    assert request.body is not None
    found: dict[str, str] = {}
    for node in request.body.walk():
        key = _key(node)
        if key is not None and key in declared:
            found.setdefault(key, source(text, node))
    if len(found) == 1:
        return next(iter(found.values())), ""
    written = source(text, request.node)
    if not found:
        return "", f"`{written}` involves no declared variable"
    names = ", ".join(f"`{w}`" for w in found.values())
    return "", f"`{written}` involves {names}: say with respect to which (`--wrt`)"


def applied(body: t.Node, params: tuple[str, ...] | None, wrt: t.Node | None) -> t.Node:
    r"""``f`` of ``\frac{\partial f}{\partial x}`` where the document defines ``f(x) = …``
    (``params``: its parameters' keys, None where it defines no such function): ``f(x)``; a
    function of one parameter (``f(u) = …``) is taken at the variable asked for (``f(x)``)."""
    if not params or not isinstance(body, t.Symbol):
        return body
    if len(params) == 1 and wrt is not None and _key(wrt) is not None:
        return t.Apply(func=body, args=(wrt,), start=body.start, end=body.end)
    args = tuple(t.Symbol(name=p, start=body.end, end=body.end) for p in params)
    return t.Apply(func=body, args=args, start=body.start, end=body.end)


def source(text: str, node: t.Node) -> str:
    """The document's own writing of ``node`` (on one line)."""
    if 0 <= node.start < node.end <= len(text):
        return " ".join(text[node.start : node.end].split())
    from texgrad.syntax.latex import latex_of

    return latex_of(node)


# -- the editor's "Evaluate …" -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Asked:
    """A row holding a request, before it is evaluated."""

    wrt: str  # the request's variable as written (pass it back as ``wrt``)
    hessian: bool
    title: str  # "∂ tr(AB)/∂A"
    row_start: int
    row_end: int
    at: int  # where `` = result`` goes (after the request, or after its empty `=`)
    equals: bool  # the row already has its `=`
    differential: bool = False  # \mathrm{d}(…): its value is dF


def asked_at(result: CheckResult, offset: int) -> Asked | None:
    """The request in the row of ``result`` at ``offset``, if the row holds one."""
    text = result.doc.text
    row = next((r for r in result.rows if r.start <= offset <= r.end and r.tree is not None), None)
    if row is None:
        return None
    request = request_in(row.tree)
    if request is None or request.problem is not None:
        return None
    wrt, problem = resolved(request, text, "", None)
    if problem:
        return None
    equals = isinstance(row.tree, t.Chain)
    at = row.end if equals else request.node.end
    at = len(text[:at].rstrip()) if equals else at
    title = title_of(request, text)
    return Asked(wrt, request.hessian, title, row.start, row.end, at, equals, request.differential)


# -- a compact title in the document's notation --------------------------------------------

_LIMIT = 40
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "theta": "θ",
    "lambda": "λ", "mu": "μ", "sigma": "σ", "Sigma": "Σ", "phi": "φ", "psi": "ψ", "omega": "ω",
    "ell": "ℓ", "tau": "τ", "eta": "η", "xi": "ξ", "rho": "ρ", "pi": "π", "Lambda": "Λ",
    "Theta": "Θ", "Phi": "Φ", "Omega": "Ω", "nu": "ν", "kappa": "κ", "beta_": "β",
}  # fmt: skip
_SUPERS = dict(zip("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", strict=True))
_SUBS = dict(zip("aehijklmnoprstuvx0123456789", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₀₁₂₃₄₅₆₇₈₉", strict=True))


def title_of(request: Request, text: str) -> str:
    """The request as a short title: ``∂ tr(AB)/∂A``, ``∇ₓ ‖Ax‖²``, ``d/dt ‖x + tv‖²``
    (the document's own source, shortened, when it has no short plain form)."""
    short = _plain(request.node)
    if short is not None and len(short) <= _LIMIT:
        return short
    written = source(text, request.node)
    return written if len(written) <= _LIMIT else "the derivative"


def _plain(node: t.Node | None) -> str | None:  # noqa: C901 - one case per node type
    if node is None:
        return None
    if isinstance(node, t.Symbol):
        name = node.name.lstrip("\\")
        return _GREEK.get(name, name if node.name[:1] != "\\" or len(name) == 1 else None)
    if isinstance(node, t.Number):
        return node.text
    if isinstance(node, t.Font):
        return _plain(node.body)
    if isinstance(node, t.Transpose):
        return _join(_plain(node.base), "ᵀ")
    if isinstance(node, t.Power):
        return _join(_plain(node.base), _sup(node.exponent))
    if isinstance(node, t.Sub):
        return _join(_plain(node.base), _subscript(node.index))
    if isinstance(node, t.Tagged):  # W^{(1)}
        close = {"(": ")", "[": "]"}.get(node.bracket, "")
        return _join(_plain(node.base), "^", node.bracket, _plain(node.tag), close)
    if isinstance(node, t.Neg):
        return _join("-", _plain(node.operand))
    if isinstance(node, t.Product):
        return _product([_plain(f) for f in node.factors])
    if isinstance(node, t.Add):
        parts = [_plain(x) for x in node.terms]
        if None in parts:
            return None
        signs = [f" {s} " if s else "" for s in node.signs]
        return "".join(s + p for s, p in zip(signs, parts, strict=True) if p is not None).strip()
    if isinstance(node, t.Paren):
        return _join(_bracket(node.open), _plain(node.body), _bracket(node.close) or ")")
    if isinstance(node, t.Norm):
        return _join("‖", _plain(node.body), "‖", _subscript(node.p) if node.p else "")
    if isinstance(node, t.Abs):
        return _join("|", _plain(node.body), "|")
    if isinstance(node, t.Frac):
        return _join(_plain(node.num), "/", _plain(node.den))
    if isinstance(node, t.Func):
        return node.name.lstrip("\\")
    if isinstance(node, t.Apply):
        args = [_plain(a) for a in node.args]
        if None in args:
            return None
        inner = ", ".join(a for a in args if a is not None)
        return _join(_plain(node.func), f"({inner})" if node.parens else f" {inner}")
    return _derivative(node)


_SIZED = re.compile(r"^\\(?:left|right|middle|[bB]igg?[lr]?)")


def _bracket(written: str) -> str:
    """A bracket as shown: ``\\big[`` as ``[``, ``\\right)`` as ``)``, ``\\{`` as ``{``."""
    return _SIZED.sub("", written).lstrip("\\")


def _derivative(node: t.Node) -> str | None:
    if isinstance(node, t.Nabla):
        sub = _subscript(node.wrt) if node.wrt is not None else ""
        two = "²" if node.order is not None else ""
        return _join("∇", two, sub, " ", _plain(node.body))
    if isinstance(node, t.Partial):
        return _join("∂", _subscript(node.wrt) if node.wrt else "", " ", _plain(node.body))
    if isinstance(node, t.Product) and node.factors and _operator(node.factors[0]):
        return None
    if isinstance(node, t.Differential):
        return _join("d", _plain(node.body))
    if isinstance(node, t.Derivative) and node.body is not None:
        d = "∂" if node.partial else "d"
        order = _order(node.order) or 1
        top = d + ("²" if order == 2 else "")
        den = "".join(_join(d, _plain(w)) or "?" for w in node.wrt)
        body = _plain(node.body)
        if body is None or "?" in den:
            return None
        if _operator(node):
            return f"{top}/{den} {body}"
        return f"{top} {body}/{den}" if len(body) > 1 else f"{top}{body}/{den}"
    return None


def _product(parts: list[str | None]) -> str | None:
    if None in parts:
        return None
    words = [p for p in parts if p is not None]
    if all(len(w) <= 2 or w.endswith(")") or w.startswith("(") for w in words):
        return "".join(words)
    return " ".join(words)


def _sup(node: t.Node) -> str | None:
    if isinstance(node, t.Symbol) and node.name in ("\\top", "T", "\\intercal", "\\mathsf{T}"):
        return "ᵀ"
    text = _plain(node)
    if text is not None and all(c in _SUPERS for c in text):
        return "".join(_SUPERS[c] for c in text)
    return f"^{text}" if text is not None else None


def _subscript(node: t.Node | None) -> str | None:
    text = _plain(node) if node is not None else None
    if text is None:
        return None
    if all(c in _SUBS for c in text):
        return "".join(_SUBS[c] for c in text)
    return f"_{text}" if len(text) == 1 else f"_{{{text}}}"


def _join(*parts: str | None) -> str | None:
    if any(p is None for p in parts):
        return None
    return re.sub(r"\s+", " ", "".join(p for p in parts if p is not None))


def _entry_indices(written: str) -> str:
    r"""``ij`` of ``\partial_{ij}`` (``i,j``, ``k``): the indices of an entry, the shorthand
    for the derivative by that entry; "" for anything else."""
    flat = "".join(written.split())  # (a single letter of i–l only: \partial_t is by t)
    if re.fullmatch(r"[i-l]|[i-n],?[i-n]", flat):
        return flat
    return ""
