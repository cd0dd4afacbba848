r"""Functions a document defines on numbers: ``\sigma(t) = 1/(1+e^{-t})``,
``\phi(z) = \max(0, z)``, ``\operatorname{swish}(t) = t\,\sigma(t)``.

:class:`~texgrad.calculus.lower.Lowerer` reads such a definition's body with its parameter a
number (an :class:`~texgrad.calculus.expr.Template`) and applies it to each entry of an array
(``\sigma(Xw)``), as papers do; what is decided here, on plain values:

- whether a body is written for arrays (a transpose, a norm, a trace: ``f(x) = x^\top A x``
  is a function of a vector, never applied entry by entry): :func:`written_for_arrays`;
- whether reading the body with the array itself agrees with applying it to each entry
  (``\log(1 + e^t)`` does; ``t^2`` of a vector does not): :func:`entrywise_agrees`, at random
  points — where they disagree, the reader refuses rather than guess;
- which function is meant by name: a body that is the function its name spells (``\sigma``
  defined as the logistic sigmoid) is that function, so the answer reads ``\sigma(z) \odot
  (1 - \sigma(z))``; any other keeps the document's name, ``\phi'(z)``:
  :func:`named_function`.
"""

from __future__ import annotations

import numpy as np

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import EvaluationError
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.written import FUNCTION_NAMES, TRACE_NAMES, function_name, written_latex
from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t

# functions of a whole array: a body that applies one is written for arrays
_ARRAY_FUNCTIONS = TRACE_NAMES | {"det", "logdet", "diag", "Diag", "softmax", "logsumexp",
                                  "LSE", "lse", "sum", "vec", "adj"}  # fmt: skip
_ARRAY_NODES = (t.Transpose, t.InverseTranspose, t.Norm, t.Angle, t.Matrix, t.BigOp, t.Prime)

# where a body and a named function are compared (no kink of relu, step or abs at 0)
_POINTS = (-2.3, -0.7, 0.4, 1.9)
_TRIES = 3


def written_for_arrays(body: t.Node) -> bool:
    """Whether a definition's body uses notation for vectors or matrices."""
    for node in body.walk():
        if isinstance(node, _ARRAY_NODES):
            return True
        if isinstance(node, t.Apply) and function_name(node.func) in _ARRAY_FUNCTIONS:
            return True
    return False


def variables(x: Expr) -> set[str]:
    return {v.name for v in x.walk() if isinstance(v, e.Var)}


def function_latex(node: t.Node) -> str:
    r"""A function's name as the document writes it (``\phi``, ``\operatorname{swish}``)."""
    if isinstance(node, t.Func):
        return f"\\operatorname{{{node.name}}}"
    return written_latex(node)


def known_as(fn: e.Template) -> str:
    """The elementwise function a body is, whatever the document calls it ("" if none)."""
    if fn.consts:
        return ""
    for known in ("sigma", "tanh", "exp", "softplus", "relu"):
        if _same_function(fn, known):
            return known
    return ""


def named_function(fn: e.Template, x: Expr) -> Expr:
    """``fn`` of each entry of ``x``: the function its name spells where its body is that
    function (``\\sigma`` the logistic sigmoid), else the document's own function."""
    known = FUNCTION_NAMES.get(fn.name)
    if known is not None and known == fn.known:
        return e.elem(known, x)
    return e.applied(fn, x)


def _same_function(fn: e.Template, known: str) -> bool:
    t0 = e.var(fn.param, Shape(e.ONE, e.ONE))
    reference = e.elem(known, t0)
    for point in _POINTS:
        values = {fn.param: np.array([[point]])}
        try:
            with np.errstate(all="raise"):
                a = evaluate(fn.body, values, {})
                b = evaluate(reference, values, {})
        except (EvaluationError, FloatingPointError, ZeroDivisionError, OverflowError):
            return False
        if not np.allclose(a, b, rtol=1e-9, atol=1e-12):
            return False
    return True


def entrywise_agrees(whole: Expr, fn: e.Template, x: Expr) -> bool:
    """Whether ``whole`` (a body read with the array ``x`` for its parameter) is ``fn`` of
    each entry of ``x``, at random points (False where it cannot be told)."""
    if not (e.same(whole.rows, x.rows) and e.same(whole.cols, x.cols)):
        return False
    entrywise = e.applied(fn, x)
    shapes: dict[str, Shape] = {}
    symmetric: set[str] = set()
    for part in (*whole.walk(), *x.walk()):
        if isinstance(part, e.Var):
            shapes[part.name] = part.shape
            if part.symmetric:
                symmetric.add(part.name)
    agreed = 0
    for attempt in range(_TRIES):
        rng = np.random.default_rng(4000 + attempt)
        try:
            values, sizes = sample_inputs(shapes, symmetric=symmetric, rng=rng)
            with np.errstate(all="raise"):
                a = evaluate(whole, values, sizes)
                b = evaluate(entrywise, values, sizes)
        except (EvaluationError, CalculusError, FloatingPointError, ZeroDivisionError,
                OverflowError, ValueError, np.linalg.LinAlgError):  # fmt: skip
            continue
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12):
            return False
        agreed += 1
    return agreed > 0
