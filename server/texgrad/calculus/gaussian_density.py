r"""The Gaussian density a document writes without defining it: ``\mathcal{N}(\mathbf{x} \mid
\boldsymbol\mu, \Sigma)`` (also ``;`` or ``,`` before the mean), read as the textbook's

    \mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \Sigma)
        = \det(2\pi\Sigma)^{-1/2}\exp\left(-\tfrac12(\mathbf{x}-\boldsymbol\mu)^\top
          \Sigma^{-1}(\mathbf{x}-\boldsymbol\mu)\right),

and ``\log\mathcal{N}(…)`` (``\ln``) as its logarithm written out, ``-\frac12\log\det(2\pi\Sigma)
- \frac12(\mathbf{x}-\boldsymbol\mu)^\top\Sigma^{-1}(\mathbf{x}-\boldsymbol\mu)``, so an EM
M-step (``\sum_n \gamma_{nk}\log\mathcal{N}(\mathbf{x}_n \mid \boldsymbol\mu_k, \Sigma_k)``) is
differentiated as the textbook does it.  The formula is a tree of the engine's own notation with
the call's three arguments in place of its letters; a document that defines ``\mathcal{N}``
itself keeps its definition (the caller asks only where none is defined).
"""

from __future__ import annotations

from typing import Any

from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row

_DENSITY = r"\det(2\pi C)^{-1/2}\exp\left(-\frac{1}{2}(a - b)^\top C^{-1}(a - b)\right)"
_LOG_DENSITY = r"-\frac{1}{2}\log\det(2\pi C) - \frac{1}{2}(a - b)^\top C^{-1}(a - b)"
_LOGS = ("log", "ln")


def is_gaussian(node: t.Node) -> bool:
    r"""Whether ``node`` is the letter ``\mathcal{N}``."""
    return isinstance(node, t.Symbol) and node.name == "N" and node.font == "mathcal"


def arguments(paren: t.Node) -> tuple[t.Node, t.Node, t.Node] | None:
    r"""The point, mean and covariance of ``(\mathbf{x} \mid \boldsymbol\mu, \Sigma)``,
    ``(\mathbf{x}; \boldsymbol\mu, \Sigma)`` or ``(\mathbf{x}, \boldsymbol\mu, \Sigma)``;
    None for any other bracket (``\mathcal{N}(\boldsymbol\mu, \Sigma)``, a distribution with
    no point, is no density of anything here)."""
    if not isinstance(paren, t.Paren) or paren.open not in ("(", "\\left("):
        return None
    body = paren.body
    if isinstance(body, t.List) and len(body.items) == 3:
        a, b, c = body.items
        return a, b, c
    if isinstance(body, t.Chain) and body.relations in (("\\mid",), ("|",), ("\\vert",)):
        first, rest = body.items if len(body.items) == 2 else (None, None)
    elif isinstance(body, t.Sequence) and len(body.items) == 2:
        first, rest = body.items
    else:
        return None
    if first is None or not isinstance(rest, t.List) or len(rest.items) != 2:
        return None
    return first, rest.items[0], rest.items[1]


_ISOTROPIC = r"(2\pi c)^{-D/2}\exp\left(-\frac{1}{2c}\|a - b\|^2\right)"
_LOG_ISOTROPIC = r"-\frac{D}{2}\log(2\pi c) - \frac{1}{2c}\|a - b\|^2"


def isotropic_scale(cov: t.Node) -> t.Node | None:
    r"""``\sigma^2`` of the covariance ``\sigma^2 I`` (a product ending in ``I``); None for
    any other."""
    if not isinstance(cov, t.Product) or len(cov.factors) < 2:
        return None
    last = cov.factors[-1]
    if not (isinstance(last, t.Symbol) and last.name == "I" and last.font is None):
        return None
    rest = cov.factors[:-1]
    if len(rest) == 1:
        return rest[0]
    return t.Product(factors=rest, start=cov.start, end=rest[-1].end, from_macro=cov.from_macro)


def isotropic_density(
    call: t.Node, paren: t.Paren, scale: t.Node, size: str, log: bool
) -> t.Node | None:
    r"""``\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \sigma^2 I)`` written out as the textbook
    does for an isotropic covariance (``log``: ``-\frac{d}{2}\log(2\pi\sigma^2) -
    \frac{1}{2\sigma^2}\|\mathbf{x} - \boldsymbol\mu\|^2``), ``size`` the point's dimension."""
    args = arguments(paren)
    if args is None:
        return None
    parsed = parse_row(MappedText.identity(_LOG_ISOTROPIC if log else _ISOTROPIC)).tree
    if parsed is None:
        return None
    loc: dict[str, Any] = {"start": call.start, "end": paren.end, "from_macro": call.from_macro,
                           "span": (call.span[0], paren.span[1])}  # fmt: skip
    letters = {"a": args[0], "b": args[1], "c": scale}
    by: dict[int, t.Node] = {}
    for node in parsed.walk():
        if isinstance(node, t.Symbol) and node.font is None and node.name in letters:
            by[id(node)] = t.Paren(body=letters[node.name], open="(", close=")", **loc)
        elif isinstance(node, t.Symbol) and node.font is None and node.name == "D":
            by[id(node)] = t.Symbol(name=size, font=None, accents=(), **loc)
    return t.Paren(body=t.replaced(parsed, by), open="(", close=")", **loc)


def density(call: t.Node, paren: t.Paren, log: bool) -> t.Node | None:
    r"""The tree of ``\mathcal{N}(…)`` written out (``log``: of its logarithm), placed where
    the call is written; None where the bracket holds no point, mean and covariance."""
    args = arguments(paren)
    if args is None:
        return None
    parsed = parse_row(MappedText.identity(_LOG_DENSITY if log else _DENSITY)).tree
    if parsed is None:  # (the formulas above always parse)
        return None
    loc: dict[str, Any] = {"start": call.start, "end": paren.end, "from_macro": call.from_macro,
           "span": (call.span[0], paren.span[1])}  # fmt: skip
    letters = dict(zip(("a", "b", "C"), args, strict=True))
    by: dict[int, t.Node] = {}
    for node in parsed.walk():
        if isinstance(node, t.Symbol) and node.font is None and node.name in letters:
            arg = letters[node.name]
            by[id(node)] = t.Paren(body=arg, open="(", close=")", **loc)
    out = t.replaced(parsed, by)
    return t.Paren(body=out, open="(", close=")", **loc)


def log_name(node: t.Node) -> bool:
    r"""Whether ``node`` is ``\log`` or ``\ln``, with no base or power."""
    return isinstance(node, t.Func) and node.name in _LOGS and node.sub is None and node.sup is None
