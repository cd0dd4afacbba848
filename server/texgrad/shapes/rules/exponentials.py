r"""Matrix functions, which need a square matrix: ``\operatorname{expm}(A)``,
``\operatorname{logm}``, ``\operatorname{sqrtm}``, and the exponential of a matrix times a time,
``e^{A t}``, ``\exp(A(t - s))``, ``e^{A \tau}`` — a transition matrix, never meant entry by
entry.  An exponential of a matrix alone or scaled otherwise is not checked: ``\exp(-C /
\varepsilon)`` of a cost matrix, ``e^{-\lambda M}``, are the entrywise Gibbs kernels of
optimal transport, of any shape."""

from __future__ import annotations

from texgrad.shapes.dims import ONE, Shape
from texgrad.shapes.rules.base import RuleBase
from texgrad.syntax import tree as t

# functions of a square matrix that keep its shape, by what messages call them
MATRIX_FUNCTIONS = {
    "expm": "matrix exponential",
    "logm": "matrix logarithm",
    "sqrtm": "matrix square root",
}
# letters a matrix exponential's time is written with: e^{At}, e^{A\tau}, e^{A(t - s)} (not h
# nor s alone, which networks and policies name vectors with: \exp(W h_t), \exp(\theta^\top s))
_TIMES = frozenset({"t", "\\tau"})
_INSTANTS = _TIMES | {"s"}  # what a time is counted from: t - s, t - t_0, t - \tau


def _a_time(node: t.Node, letters: frozenset[str] = _TIMES) -> bool:
    r"""``t``, ``t_k``, ``\tau``, ``(t - s)``, ``(t - t_0)``: a time or a time span."""
    if isinstance(node, t.Sub):
        node = node.base
    if isinstance(node, t.Symbol):
        return node.name in letters and node.font is None and not node.accents
    if isinstance(node, t.Paren) and node.open in ("(", "\\left(") and node.body is not None:
        return _a_time(node.body, letters)
    if isinstance(node, t.Neg):
        return _a_time(node.operand, letters)
    if isinstance(node, t.Add):  # (t - s): a time, then what it is counted from
        return _a_time(node.terms[0]) and all(_a_time(x, _INSTANTS) for x in node.terms[1:])
    return False


class ExponentialRules(RuleBase):
    """Matrix functions of a matrix that is not square."""

    def _timed_exponential(self, exponent: t.Node | None, node: t.Node) -> bool:
        r"""Reports ``e^{Bt}`` (``\exp(Bt)``) of a matrix ``B`` not square, times a time; says
        whether it did."""
        if isinstance(exponent, t.Neg):
            exponent = exponent.operand
        if not isinstance(exponent, t.Product) or len(exponent.factors) != 2:
            return False
        for matrix, time in (exponent.factors, exponent.factors[::-1]):
            if not _a_time(time):
                continue
            for letter in time.walk():
                if isinstance(letter, t.Symbol) and self._nonscalar(letter):
                    return False  # (a time the document declares a vector: not a time)
            s = self.infer(matrix)
            if s is None or ONE in (s.rows, s.cols) or self._borrowed(matrix):
                return False
            if self._same(s.rows, s.cols, node.start):
                return False
            self._not_square("matrix exponential", matrix, s, node)
            return True
        return False

    def _nonscalar(self, letter: t.Symbol) -> bool:
        s = self.infer(letter)
        return s is not None and not s.is_scalar

    def _matrix_function(
        self, name: str, node: t.Apply, args: list[Shape | None]
    ) -> tuple[bool, Shape | None]:
        """``\\operatorname{expm}(A)`` (of A's shape, A square), ``\\exp(Bt)`` (reported when B
        is not square): whether this rule says what the application is, and its shape."""
        if len(args) != 1 or (name not in MATRIX_FUNCTIONS and name != "exp"):
            return False, None
        if name == "exp":
            return self._timed_exponential(node.args[0], node), None
        s = args[0]
        if s is None or s.is_scalar:
            return True, s
        if not self._same(s.rows, s.cols, node.start):
            self._not_square(MATRIX_FUNCTIONS[name], node.args[0], s, node)
            return True, None
        return True, s
