r"""The normal distribution's sizes: in ``\mathcal{N}(\mu, \Sigma)`` the covariance is square
and the mean (a vector) has its rows; so has the point of a density ``\mathcal{N}(x \mid \mu,
\Sigma)`` and a vector drawn from it, ``x \sim \mathcal{N}(\mu, \Sigma)``.  Only column vectors
are compared: a scalar mean or covariance broadcasts (``\mathcal{N}(0, \sigma^2)``), a matrix
mean is matrix-variate, a matrix drawn holds samples in its rows."""

from __future__ import annotations

from texgrad.shapes import messages
from texgrad.shapes.dims import ONE, Shape
from texgrad.shapes.rules.base import RuleBase, span_key
from texgrad.syntax import tree as t

# the fonts a normal's N is written in (\mathcal{N}, \mathrm{N}, \operatorname{N})
_NORMAL_FONTS = ("mathcal", "mathrm", "operatorname")
# what separates a density's point from its parameters: \mathcal{N}(x \mid \mu, \Sigma)
GIVEN = ("\\mid", "|", "\\vert")


def normal_parts(
    name: t.Node, bracket: t.Node, *, plain: bool = False
) -> tuple[t.Node | None, t.Node, t.Node] | None:
    r"""The point (or None), mean and covariance of ``\mathcal{N}(\mu, \Sigma)``,
    ``\mathcal{N}(x \mid \mu, \Sigma)``, ``\mathcal{N}(x; \mu, \Sigma)`` written as the letter
    and its bracket; else None.  With ``plain``, an italic ``N(0, \sigma^2 I)`` is one too
    (asked of what a ``\sim`` says a letter is drawn from: there N is no count)."""
    base = name.base if isinstance(name, t.Sub) else name  # \mathcal{N}_n(\mu, \Sigma)
    if not (
        isinstance(base, t.Symbol) and base.name == "N" and not base.accents
        and (base.font in _NORMAL_FONTS or (plain and base.font is None))
    ):  # fmt: skip
        return None
    if not isinstance(bracket, t.Paren) or bracket.open not in ("(", "\\left("):
        return None
    body = bracket.body
    point: t.Node | None = None
    if isinstance(body, t.Chain) and len(body.items) == 2 and body.relations[0] in GIVEN:
        point, body = body.items
    elif isinstance(body, t.Sequence) and len(body.items) == 2:
        point, body = body.items
    if not isinstance(body, t.List) or len(body.items) != 2:
        return None
    mean, cov = body.items
    if mean is None or cov is None:
        return None
    return point, mean, cov


class DistributionRules(RuleBase):
    """The sizes a normal distribution's parameters must have."""

    def _normal(self, name: t.Node, point: t.Node | None, mean: t.Node, cov: t.Node) -> None:
        r"""Reports a covariance not square, and a mean or point whose rows are not its."""
        if self._lookup(("N", getattr(name, "font", None)), name.start) is not None:
            return  # the document gives \mathcal{N} a meaning of its own
        c = self.infer(cov)
        if c is None or c.is_scalar or self._borrowed(cov):
            return
        if not self._same(c.rows, c.cols, cov.start):
            self._not_square("covariance", cov, c, cov)
            return
        for what, node in (("mean", mean), ("point", point)):
            if node is not None:
                self._sized_like(what, node, self.infer(node), cov, c)

    def _drawn(self, drawn: t.Node, normal: t.Node | None) -> None:
        r"""``x \sim \mathcal{N}(\mu, \Sigma)``: a vector drawn has the covariance's rows."""
        if not isinstance(normal, t.Product) or len(normal.factors) != 2:
            return
        parts = normal_parts(*normal.factors, plain=True)
        if parts is None:
            return
        name = normal.factors[0]
        font = getattr(name.base if isinstance(name, t.Sub) else name, "font", None)
        if font is None and self._lookup(("N", None), name.start) is not None:
            return  # (an italic N the document declares: not a normal's)
        c = self.infer(parts[2])
        if c is None or c.is_scalar or self._borrowed(parts[2]) or c.rows != c.cols:
            return
        known = self.shapes.get(span_key(drawn))  # (the side, inferred just before)
        self._sized_like("drawn", drawn, known, parts[2], c)

    def _sized_like(self, what: str, node: t.Node, s: Shape | None, cov: t.Node, c: Shape) -> None:
        if s is None or s.is_scalar or s.cols != ONE or self._borrowed(node):
            return
        if self._same(s.rows, c.rows, node.start):
            return
        message = messages.normal_mismatch(what, self._described(node, s), self._described(cov, c))
        related = self._related(node, cov)
        self._emit("argument-mismatch", message, node.start, node.end, related)
