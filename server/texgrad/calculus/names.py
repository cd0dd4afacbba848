r"""Names in results: the document's own (``\mathbf{r} = A\mathbf{x} - \mathbf{b}``) kept in
the answer, and a name given to a long part a result repeats (``\text{where } t_0 = …``).

A name the document defines is lowered as a variable of its own
(:class:`~texgrad.calculus.lower.Lowerer` with ``keep_names``), its value kept beside
it; the differential goes through the value (dr = A dx). To evaluate — verification
never trusts a name — :func:`expand` puts the values back in.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat

from texgrad.calculus import expr as e
from texgrad.calculus.expr import Expr
from texgrad.syntax.symbols import key_text


def expand(x: Expr, names: dict[str, Expr]) -> Expr:
    """``x`` with every name replaced by its value (names inside values too)."""
    if not names:
        return x
    done: dict[str, Expr] = {}

    def value(name: str, seen: frozenset[str]) -> Expr:
        hit = done.get(name)
        if hit is None:
            if name in seen:
                raise e.CalculusError(f"the definition of `{key_text(name)}` refers to itself")
            inner = names[name]
            used = {y.name for y in inner.walk() if isinstance(y, e.Var) and y.name in names}
            hit = e.substitute(inner, {k: value(k, seen | {name}) for k in used})
            done[name] = hit
        return hit

    used = {y.name for y in x.walk() if isinstance(y, e.Var) and y.name in names}
    return e.substitute(x, {k: value(k, frozenset()) for k in used}) if used else x


def fold(x: Expr, names: dict[str, Expr]) -> Expr:
    """``x`` with every part equal to a name's value written as the name (the differential
    of ``\\log \\mathbf{p}`` with ``p = \\sigma(Xw)`` has ``σ(Xw)`` in it: it is ``p``)."""
    values = {v: k for k, v in names.items() if not isinstance(v, (e.Var, e.Num))}
    if not values:
        return x
    memo: dict[Expr, Expr] = {}

    def walk(y: Expr) -> Expr:
        hit = memo.get(y)
        if hit is None:
            name = values.get(y)
            if name is not None:
                hit = e.var(name, y.shape)
            else:
                kids = list(y.children())
                hit = e.rebuild(y, [walk(c) for c in kids]) if kids else y
            memo[y] = hit
        return hit

    return walk(x)


MIN_LENGTH = 14  # a part shorter than this, printed, is not worth a name
MIN_LEAVES = 4  # nor one of fewer symbols (\mathbf{y} - \mathbf{t} reads better as it is)
MAX_NAMES = 3
MIN_APPLICATION = 20  # a function applied, printed at least this long, is worth a name
APPLICATIONS = (e.Softmax, e.Elem, e.Applied, e.MatFn, e.LSE)


def _leaf(x: Expr) -> bool:
    return isinstance(x, (e.Var, e.Num, e.Ones, e.Identity, e.Zero, e.D))


def _long_application(y: Expr, text: str) -> bool:
    r"""A function applied, printed long (``\operatorname{softmax}(Z)``): worth a name
    however few symbols it holds."""
    return isinstance(y, APPLICATIONS) and len(text) >= MIN_APPLICATION


def _repeated(xs: list[Expr], show: Callable[[Expr], str], wrt: e.Var | None) -> Expr | None:
    """The part that ``xs`` repeat and a name would shorten most (``x - α11^Tx`` written
    twice, or once transposed); None if none is long enough.  With ``wrt`` (a function
    about to be differentiated, whose differential repeats such parts again), only parts
    that involve it; without, only parts whose name shortens ``xs`` with its definition
    counted in."""
    counts: dict[Expr, int] = {}
    for x in xs:
        for y in x.walk():
            if isinstance(y, e.T):
                continue  # counted as its argument
            counts[y] = counts.get(y, 0) + 1
    best: tuple[int, str, Expr] | None = None
    for y, n in counts.items():
        if _leaf(y) or e.has_d(y) or (wrt is not None and not e.depends(y, wrt)):
            continue
        text = show(y)
        few = sum(1 for z in y.walk() if _leaf(z)) < MIN_LEAVES
        if len(text) < MIN_LENGTH or (few and not _long_application(y, text)):
            continue
        if not y.is_scalar:
            flipped = e.transpose(y)  # (x - a)^T is stored as x^T - a^T
            other = counts.get(flipped, 0) if flipped != y else 0
            if other > n or (other == n and y.rows == e.ONE and other):
                continue  # named the other way round: a column, or as written more often
            n += other
        if wrt is None:  # as printed (‖t‖² is t^T t inside, printed once)
            n = sum(show(x).count(text) for x in xs)
        # a result's name costs its definition (a long application to a matrix: only what is
        # printed for it, ``\text{where } T_0 = …``, as 2S^\top(SV - Y) is written with S)
        matrix = y.rows != e.ONE and y.cols != e.ONE and _long_application(y, text)
        cost = 0 if wrt is not None else (12 if matrix else len(text) + 8)
        saving = (n - 1) * len(text) - cost
        if n < 2 or saving <= 0:
            continue
        key = (saving, text, y)
        if best is None or key[:2] > best[:2]:
            best = key
    return None if best is None else best[2]


def replace_part(x: Expr, part: Expr, by: e.Var) -> Expr:
    """``x`` with ``part`` (or its transpose) written ``by`` wherever it occurs."""
    memo: dict[Expr, Expr] = {}
    flipped = e.transpose(part) if not part.is_scalar else part

    def walk(y: Expr) -> Expr:
        if y == part:
            return by
        if y == flipped:
            return e.transpose(by)
        hit = memo.get(y)
        if hit is None:
            kids = list(y.children())
            hit = memo[y] = e.rebuild(y, [walk(c) for c in kids]) if kids else y
        return hit

    return walk(x)


def _fresh(shape_of: Expr, taken: set[str], symbols: dict[str, str]) -> tuple[str, str] | None:
    """A key and a spelling for a new name (``t_{0}``, ``\\mathbf{t}_0``, ``T_0``) that the
    document does not use."""
    for letter in ("t", "u", "q", "s"):
        if letter in taken or any(map(str.startswith, taken, repeat(letter + "_"))):
            continue  # (by map: every symbol of the document is taken, for every claim)
        for i in range(10):
            key = f"{letter}_{{{i}}}"
            if key in taken:
                continue
            if shape_of.is_scalar:
                return key, f"{letter}_{i}"
            if shape_of.cols == e.ONE:
                return key, f"\\mathbf{{{letter}}}_{i}"
            return key, f"{letter.upper()}_{i}"
    return None


def name_parts(
    xs: list[Expr],
    names: dict[str, Expr],
    symbols: dict[str, str],
    taken: set[str],
    show: Callable[[Expr], str],
    wrt: e.Var | None = None,
) -> tuple[list[Expr], list[str]]:
    """``xs`` with long parts they repeat given new names (at most :data:`MAX_NAMES`), the
    names' values added to ``names`` and their spellings to ``symbols``; and the new keys."""
    new: list[str] = []
    while len(new) < MAX_NAMES:
        part = _repeated(xs, show, wrt)
        if part is None:
            break
        fresh = _fresh(part, taken | set(names) | set(new), symbols)
        if fresh is None:
            break
        key, spelling = fresh
        symbols[key] = spelling
        names[key] = part
        v = e.var(key, part.shape)
        xs = [replace_part(x, part, v) for x in xs]
        new.append(key)
    return xs, new


def inline_unhelpful(
    result: Expr,
    others: list[Expr],
    keys: list[str],
    names: dict[str, Expr],
    show: Callable[[Expr], str],
    symbols: dict[str, str],
    tidy: Callable[[Expr], Expr],
    algebraic: set[str],
) -> tuple[Expr, list[Expr], list[str]]:
    """Put back the value of each given name that does not make ``result`` with its
    "where" shorter (``2A^T(Ax - b)`` needs no ``t_0``); the same in ``others`` (the
    differential shown beside it), simplified again (``tidy``) where the name was one the
    algebra went through (``algebraic``: a name given to ``f``, not one given to the result
    as printed).  Returns them and the names kept."""

    def cost(x: Expr, kept: list[str]) -> int:
        used = {y.name for y in x.walk() if isinstance(y, e.Var)}
        return len(show(x)) + sum(
            len(symbols[k]) + len(show(names[k])) + 3 for k in kept if k in used
        )

    kept = list(keys)
    for key in reversed(keys):
        rest = [k for k in kept if k != key]
        value = names[key]
        back = {key: value}
        again = tidy if key in algebraic else (lambda x: x)
        inlined = again(e.substitute(result, back))
        if cost(inlined, rest) <= cost(result, kept):
            result = inlined
            others = [again(e.substitute(o, back)) for o in others]
            for k in rest:
                names[k] = e.substitute(names[k], back)
            kept = rest
    return result, others, kept
