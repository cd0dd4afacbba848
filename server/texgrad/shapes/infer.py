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
        # node kind -> its rule (a bound method: one dict lookup and one call per node)
        self._rules = {
            # symbols (rules/symbols.py)
            t.Symbol: self._symbol,
            t.Sub: self._sub_or_braced,
            t.Tagged: self._symbolic,
            t.Number: lambda n: SCALAR,
            t.Factorial: lambda n: SCALAR,
            # products and sums (rules/products.py)
            t.Product: self._product,
            t.Add: self._add,
            t.Neg: lambda n: self.infer(n.operand),
            t.BinOp: self._binop,
            t.Frac: self._frac,
            # operators (rules/operators.py)
            t.Power: self._power,
            t.Transpose: self._transpose,
            t.InverseTranspose: self._inverse_transpose,
            t.Prime: lambda n: self._prime(n) or self._primed_member(n),
            t.Norm: self._scalar_of,
            t.Abs: self._scalar_of,
            t.Angle: self._angle,
            t.Sqrt: self._sqrt,
            # functions (rules/functions.py)
            t.Apply: self._apply,
            t.BigOp: self._bigop,
            t.Derivative: self._derivative,
            t.Nabla: self._nabla,
            t.Differential: lambda n: self.infer(n.body),
            # brackets and what they group (rules/brackets.py)
            t.Paren: self._paren,
            t.List: self._each,
            t.Sequence: self._each,
            t.Matrix: self._matrix,
            t.Aligned: self._cells,
            t.Cases: self._cells,
            t.Text: self._text,
            # relations (rules/relations.py)
            t.Chain: self._chain,
            # decorations: the shape of what they decorate
            t.Font: lambda n: self.infer(n.body),
            t.Accent: lambda n: self.infer(n.body),
            t.Overset: lambda n: self.infer(n.base),
            # a row beyond what texgrad reads (syntax/limits.py): said, not checked
            t.Unread: self._unread,
        }

    def _unread(self, node: t.Unread) -> None:
        message = node.why + "; this row is not checked"
        self._emit(node.code, message, node.start, node.end, severity="warning")

    def _sub_or_braced(self, node: t.Sub) -> Any:
        if isinstance(node.base, t.Accent) and node.base.accent in BRACES:
            return self._braced(node)  # \underbrace{…}_{A_{\mathrm{cl}}}: a label, not an index
        if isinstance(node.base, t.Angle):
            return self.infer(node.base)  # \langle A, B \rangle_F, \langle x, y \rangle_K
        return self._sub(node)
