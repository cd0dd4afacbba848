r"""A result written in the name its row defines: differentiating ``\mathbf s =
\operatorname{softmax}(\mathbf z)`` gives ``\operatorname{diag}(\mathbf s) - \mathbf s
\mathbf s^\top``, not ``\operatorname{diag}(\mathbf{t}_0) - \mathbf{t}_0\mathbf{t}_0^\top``
with ``\text{where } \mathbf{t}_0 = \operatorname{softmax}(\mathbf z)``.

The engine names a long part of a result it repeats (``\mathbf{t}_0``, ``T_0``: a name of
its own, in a "where"); when that part is the whole right side of the row being
differentiated, ``name = value`` with ``name`` a plain letter, the document has already
named it: :func:`in_own_name` writes the row's name for the engine's, in the result, the
differential and the derivation, and drops the "where".  The names are compared as printed
(spaces aside), so nothing else changes: the value the name stands for is the same.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping

from texgrad.calculus.derive import DiffOutcome
from texgrad.calculus.lower import FunctionDef
from texgrad.calculus.written import written_latex
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key


def in_own_name(outcome: DiffOutcome, row: t.Node, text: str) -> DiffOutcome:
    """``outcome`` with the name the engine gave to the value of the row's definition
    written as the row's own name (see the module); ``outcome`` itself otherwise."""
    if outcome.error is not None or len(outcome.where) != 1 or not isinstance(row, t.Chain):
        return outcome
    if len(row.items) != 2 or row.relations != ("=",) or None in row.items:
        return outcome
    head, body = row.items
    assert head is not None and body is not None
    if not isinstance(head, (t.Symbol, t.Font)) or symbol_key(head) is None:
        return outcome
    own = text[head.start : head.end].strip()
    value = _flat(text[body.start : body.end])
    for entry in outcome.where:
        name, _, printed = entry.partition(" = ")
        if not printed or _flat(printed) != value or not own:
            continue
        named = re.compile(re.escape(name.strip()) + r"(?![A-Za-z0-9_])")

        def swap(s: str, named: re.Pattern[str] = named) -> str:
            return named.sub(lambda _m: own, s)

        named_out = copy.copy(outcome)
        named_out.result = swap(outcome.result)
        named_out.differential = swap(outcome.differential)
        steps = [swap(s) for s in outcome.steps if "\\text{where }" not in s]
        value_printed = printed.strip()  # the value as the derivation prints it: the name
        named_out.steps = steps[:1] + [s.replace(value_printed, own) for s in steps[1:]]
        named_out.where = []
        return named_out
    return outcome


def in_defined_names(
    outcome: DiffOutcome, defined: Mapping[str, FunctionDef], symbols: Mapping[str, str]
) -> DiffOutcome:
    r"""``outcome`` with each name the engine gave a part (``\mathbf{u}_0 =
    \operatorname{softmax}(…)``) written as the name the document defines that very value
    by (``\mathbf{a} = \operatorname{softmax}(…)``, a definition in force at the row, one
    and only one of that value), and its "where" dropped; the other names kept.  The values
    are compared as printed (spaces and braces aside), so the result's value is the same."""
    if outcome.error is not None or not outcome.where:
        return outcome
    by_value: dict[str, list[str]] = {}
    for key, fdef in defined.items():
        if not fdef.params:
            by_value.setdefault(_flat(written_latex(fdef.body)), []).append(key)
    kept: list[str] = []
    swaps: list[tuple[re.Pattern[str], str, str]] = []
    for entry in outcome.where:
        name, _, printed = entry.partition(" = ")
        keys = by_value.get(_flat(printed), []) if printed else []
        own = symbols.get(keys[0], keys[0]) if len(keys) == 1 else ""
        if not own or own in outcome.result:
            kept.append(entry)
            continue
        named = re.compile(re.escape(name.strip()) + r"(?![A-Za-z0-9_])")
        swaps.append((named, own, printed.strip()))
    if not swaps:
        return outcome

    def swap(s: str, values: bool = False) -> str:
        for named, own, printed in swaps:
            s = named.sub(own.replace("\\", "\\\\"), s)  # (a replacement, escaped)
            s = s.replace(printed, own) if values else s
        return s

    named_out = copy.copy(outcome)
    named_out.result = swap(outcome.result)
    named_out.differential = swap(outcome.differential)
    steps = [swap(s) for s in outcome.steps if "\\text{where }" not in s]
    named_out.where = [swap(k, values=True) for k in kept]
    if kept:
        steps.append("\\text{where } " + ",\\; ".join(named_out.where))
    named_out.steps = steps[:1] + [swap(s, values=True) for s in steps[1:]]
    return named_out


def _flat(latex: str) -> str:
    """The LaTeX with its spaces and braces around single letters removed, to compare."""
    return re.sub(r"\s+", "", latex).replace("{", "").replace("}", "")


__all__ = ["in_defined_names", "in_own_name"]
