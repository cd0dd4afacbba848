r"""The check of a derivative by a member a sum holds shifted (``\sum_{l=2}^L \|U^{(l)} -
U^{(l-1)}\|_F^2`` by ``U^{(l)}``, :class:`~texgrad.calculus.summed_member.Shifted`): the
whole sum as written, evaluated by :mod:`~texgrad.calculus.evaluate_tree` over a sampled
family (a number of members distinct from every other size), differentiated by central
differences with respect to every member in turn, against what is shown for that member —
the added terms inside the range, each end's own formula at the ends."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.lower import Env
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.summed_member import Shifted
from texgrad.calculus.sympy_dims import dim_of
from texgrad.calculus.verify import _close
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import label_of, member_key, symbol_key

POINTS = 2
_OUTSIDE = (
    EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
    OverflowError, ValueError, KeyError,
)  # fmt: skip


def check_shifted(
    row: t.Node,
    shifted: Shifted,
    wrt: str,
    env: Env,
    shown: Callable[[int, int], t.Node | None],
) -> tuple[bool, str]:
    """Whether what ``shown`` gives for each member (of its label and the bound's values: the
    formula shown for it) agrees with central differences of the whole sum, every member sampled."""
    node = row.items[-1] if isinstance(row, t.Chain) and row.items[-1] is not None else row
    upper = dim_of(shifted.total.upper) if shifted.total.upper is not None else None
    letters = sorted(upper.free_symbols, key=str) if upper is not None else []
    family = _family_key(shifted.total)
    info = env.vars.get(wrt)
    if upper is None or len(letters) != 1 or family is None or info is None:
        return False, "the sum's bound or family is not read"
    bound = (str(letters[0]), None)
    shapes = {wrt: info.shape}
    for n in node.walk():  # (the other symbols of the loss, sampled as declared)
        k = symbol_key(n)
        if k is not None and k[0] in env.vars and k[0] != wrt and k[0] != bound[0]:
            shapes[k[0]] = env.vars[k[0]].shape
    passed = 0
    for seed in range(4):
        rng = np.random.default_rng(300 + seed)
        values, sizes = sample_inputs(shapes, rng=rng)
        last = next(n for n in range(shifted.first + 4, 40) if n not in sizes.values())
        stop = int(upper.subs(letters[0], last))
        low, high = shifted.first + min(shifted.shifts), stop + max(shifted.shifts)
        member = np.asarray(values.pop(wrt))
        members = rng.standard_normal((high - low + 1, *member.shape))
        at = {**values, bound[0]: np.array([[float(last)]])}
        at["family-first:" + family] = np.array([[float(low)]])
        try:
            with np.errstate(all="raise"):
                ok = _every_member(node, shifted, shown, at, family, members, low, bound[0], last)
        except _OUTSIDE:
            continue
        if not ok:
            return False, "a member's derivative differs from central differences of the sum"
        passed += 1
        if passed == POINTS:
            break
    if passed == 0:
        return False, "no random point where the sum and the result evaluate"
    return True, (
        f"verified at {passed} random point(s) by central differences of the whole sum "
        "with respect to every member of the family in turn"
    )


def _family_key(total: t.BigOp) -> str | None:
    for n in total.body.walk() if total.body is not None else ():
        if isinstance(n, t.Tagged | t.Sub):
            k = symbol_key(n.base)
            if k is not None:
                return k[0]
    return None


def _every_member(
    node: t.Node, shifted: Shifted, shown: Callable[[int, int], t.Node | None],
    at: dict[str, Array], family: str, members: Array, low: int, bound: str, last: int,
) -> bool:  # fmt: skip
    def loss(fam: Array) -> float:
        return float(np.asarray(evaluate(node, {**at, "family:" + family: fam})).reshape(-1)[0])

    for label in range(low, low + members.shape[0]):
        i = label - low
        h = 1e-6 * max(1.0, float(np.abs(members[i]).max()))
        fd = np.zeros_like(members[i])
        for j in np.ndindex(fd.shape):
            up, down = members.copy(), members.copy()
            up[(i,) + tuple(j)] += h
            down[(i,) + tuple(j)] -= h
            fd[j] = (loss(up) - loss(down)) / (2 * h)
        formula = shown(label, last)
        if formula is None:
            return False
        named = _members_at(formula, family, members, low, label, shifted.label, bound, last)
        got = np.asarray(evaluate(formula, {**at, **named}), dtype=float)
        if got.shape != fd.shape or not _close(got, fd):
            return False
    return True


def _members_at(
    formula: t.Node, family: str, members: Array, low: int, label: int, letter: str,
    bound: str, last: int,
) -> dict[str, Array]:  # fmt: skip
    """The value of each member of the family the formula names, by its key."""
    out: dict[str, Array] = {}
    for n in formula.walk():
        tag: t.Node | None = None
        if isinstance(n, t.Tagged) and n.bracket:
            tag = n.tag
        elif isinstance(n, t.Sub):
            tag = n.index
        elif isinstance(n, t.Power) and isinstance(n.exponent, t.Paren):
            tag = n.exponent.body
        base = n.base if isinstance(n, t.Tagged | t.Sub | t.Power) else None
        if tag is None or base is None or (k := symbol_key(base)) is None or k[0] != family:
            continue
        read, key = label_of(tag), member_key(n)
        if read is None or key is None:
            continue
        start = {None: 0, letter: label, bound: last}.get(read[0])
        if start is None:
            continue
        at = start + read[1] - low
        if 0 <= at < members.shape[0]:
            out[key[0]] = members[at]
    return out
