r"""One rule per node kind: the shape of every subexpression, and the mismatches.

Precision first: a rule reports a mismatch only when both shapes are known and
certainly disagree; anything involving an unknown shape is unknown (None),
and after a mismatch the result is unknown so one mistake gives one message.
Scalars act as scalars wherever they stand (a 1×1 ``x^\top y`` scales a
matrix), and adding a scalar to a matrix is not flagged (papers broadcast).

The rules live in ``shapes/rules/``, one module per family of node kinds, as the methods
of one class each; :class:`Inference` puts them together and says which rule takes which
node kind (``rules/base.py``: the driver, the questions recorded, how mismatches are
reported; ``shapes/questions.py``: what a rule may read of the declarations;
``shapes/messages.py``: what diagnostics say).
"""

from __future__ import annotations

from typing import Any

from texgrad.shapes.dims import SCALAR
from texgrad.shapes.rules.brackets import BracketRules
from texgrad.shapes.rules.functions import FunctionRules
from texgrad.shapes.rules.operators import OperatorRules
from texgrad.shapes.rules.products import ProductRules
from texgrad.shapes.rules.relations import BRACES, RelationRules
from texgrad.shapes.rules.symbols import SymbolRules
from texgrad.shapes.table import SymbolTable
from texgrad.syntax import tree as t


class Inference(
    SymbolRules, ProductRules, OperatorRules, FunctionRules, BracketRules, RelationRules
):
    """Infers shapes over the rows of one document; collects diagnostics."""

    def __init__(
        self,
        table: SymbolTable,
        path: str,
        source: str,
        *,
        report: bool = True,
        names: frozenset[Any] | None = None,  # the table's dimension names, if known
    ):
        super().__init__(table, path, source, report=report, names=names)

    def _unread(self, node: t.Unread) -> None:
        message = node.why + "; this row is not checked"
        self._emit(node.code, message, node.start, node.end, severity="warning")

    def _sub_or_braced(self, node: t.Sub) -> Any:
        if isinstance(node.base, t.Accent) and node.base.accent in BRACES:
            return self._braced(node)  # \underbrace{…}_{A_{\mathrm{cl}}}: a label, not an index
        if isinstance(node.base, t.Angle):
            return self.infer(node.base)  # \langle A, B \rangle_F, \langle x, y \rangle_K
        return self._sub(node)


# node kind -> its rule, called with the inference (one dict lookup and one call per
# node).  The class's, not each inference's dict of its bound methods: those held the
# inference, a cycle that kept each one — its symbol table, its declarations — after
# the check until a full collection (~2 a keystroke in the language server).
Inference._RULES = {
    # symbols (rules/symbols.py)
    t.Symbol: Inference._symbol,
    t.Sub: Inference._sub_or_braced,
    t.Tagged: Inference._symbolic,
    t.Number: lambda self, n: SCALAR,
    t.Factorial: lambda self, n: SCALAR,
    # products and sums (rules/products.py)
    t.Product: Inference._product,
    t.Add: Inference._add,
    t.Neg: lambda self, n: self.infer(n.operand),
    t.BinOp: Inference._binop,
    t.Frac: Inference._frac,
    # operators (rules/operators.py)
    t.Power: Inference._power,
    t.Transpose: Inference._transpose,
    t.InverseTranspose: Inference._inverse_transpose,
    t.Prime: lambda self, n: self._prime(n) or self._primed_member(n),
    t.Norm: Inference._scalar_of,
    t.Abs: Inference._scalar_of,
    t.Angle: Inference._angle,
    t.Sqrt: Inference._sqrt,
    # functions (rules/functions.py)
    t.Apply: Inference._apply,
    t.BigOp: Inference._bigop,
    t.Derivative: Inference._derivative,
    t.Nabla: Inference._nabla,
    t.Differential: lambda self, n: self.infer(n.body),
    # brackets and what they group (rules/brackets.py)
    t.Paren: Inference._paren,
    t.List: Inference._each,
    t.Sequence: Inference._each,
    t.Matrix: Inference._matrix,
    t.Aligned: Inference._cells,
    t.Cases: Inference._cells,
    t.Text: Inference._text,
    # relations (rules/relations.py)
    t.Chain: Inference._chain,
    # decorations: the shape of what they decorate
    t.Font: lambda self, n: self.infer(n.body),
    t.Accent: lambda self, n: self.infer(n.body),
    t.Overset: lambda self, n: self.infer(n.base),
    # a row beyond what texgrad reads (syntax/limits.py): said, not checked
    t.Unread: Inference._unread,
}
