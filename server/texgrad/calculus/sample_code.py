r"""A derivative summed over samples as NumPy code: a Python function of the document's
symbols and of each family summed over, looping over the samples.

``\sum_{i=1}^N 2(\mathbf{w}^\top\mathbf{x}_i - y_i)\mathbf{x}_i`` becomes ``grad_w(w, x, y)``
where ``x`` is the family as a 2-D array whose row ``k`` is the member labelled
``first + k`` (``x_1`` in row 0; a list of vectors is read the same), ``y`` the declared
vector whose entry ``i`` is ``y_i``; a family of matrices (``A_i``) is a 3-D array (or a
list of matrices), a family of numbers a 1-D array.  Each term of the loss is one loop
over its index, written with the summand's derivative (printed by
:mod:`~texgrad.calculus.numpy_code`'s printer, from the engine's expression, never from
LaTeX text), times what the document writes before the sum; a term outside every sum (a
regulariser) is added as it is.  The number of terms is the length of an entry vector,
else of the family (``\sum_{t=2}^T`` of ``h_{t-1}``: the rows ``h_1, …, h_T``), else the
bound written as a number.

:func:`check_sum_code` runs the code at the verifier's own random points — every member
of every family sampled — against the verified value of the derivative there
(:mod:`~texgrad.calculus.samples` hands them over); code that disagrees is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array
from texgrad.calculus.expr import ONE, Expr
from texgrad.calculus.numpy_code import (
    _ATOM,
    NumpyUnsupported,
    _give,
    _Names,
    _Printer,
    _shape_text,
    _shared,
    agrees,
    identifier,
    unbraced,
)
from texgrad.shapes.dims import Shape


@dataclass(frozen=True, slots=True)
class Sampled:
    """A member of a family in a summand, as the code reads it."""

    key: str  # the engine's key: x_{i}, h_{(Add t - 1)}
    base: str  # the family's letter: x
    shift: int  # h_{t-1}: -1
    shape: Shape
    entry_of: str | None = None  # y_i of a declared y ∈ ℝ^N: y


@dataclass(frozen=True, slots=True)
class CodeTerm:
    """One term of the loss: ``sign · factor · Σ_index result`` or ``sign · result``."""

    sign: str  # "" / "+" / "-"
    factor: Expr  # what the document writes before the sum (1 if nothing)
    result: Expr  # the derivative of the summand (of the term, outside a sum)
    index: str = ""  # the sum's index; "" for a term outside every sum
    start: int = 1
    bound: int | sympy.Symbol | None = None  # the upper bound: a number, a dimension, none
    members: tuple[Sampled, ...] = ()


@dataclass(frozen=True, slots=True)
class Family:
    """A family parameter: its members' letter, shape and first label."""

    name: str  # the Python identifier
    base: str
    shape: Shape
    first: int  # the label of row 0
    spelling: str  # a member as the document writes it: \mathbf{x}_i
    index: str  # its index: i


@dataclass(frozen=True, slots=True)
class SumCode:
    source: str
    function: str
    arrays: tuple[tuple[str, str, Shape], ...]  # (identifier, key, shape) of the symbols
    families: tuple[Family, ...]
    sizes: tuple[tuple[str, str], ...]  # (identifier, dimension) given as integers


def sum_code(
    terms: list[CodeTerm],
    v: e.Var,
    kind: str,
    written: dict[str, str],
    heading: str,
    status: str,
    entry_shapes: dict[str, Shape],
) -> SumCode:
    """The function returning the derivative ``Σ terms`` by ``v`` (a gradient or, for a
    scalar ``v``, a derivative); ``written``: how the document spells each key;
    ``entry_shapes``: the declared vectors whose entries are members (``y`` of ``y_i``).  Raises
    :class:`~texgrad.calculus.numpy_code.NumpyUnsupported`."""
    namer = _Names()
    terms = _bounds_as_numbers(terms)
    arrays = _arrays(terms, v, entry_shapes)
    names: dict[str, str] = {}
    for key in arrays:
        names[key] = _give(namer, written.get(key, key))
    families = _families(terms, written, namer)
    printer = _Printer(names, {})
    printer.namer = namer
    head: list[str] = []  # the parameters read
    for key, x in arrays.items():
        head.append(_read_array(names[key], x.shape))
    for fam in families.values():
        head.append(_read_family(fam))
    symbols, size_lines, extra = _sources(terms, arrays, names, families, namer)
    printer.symbols = symbols
    body: list[str] = []
    parts: list[Expr] = []
    for k, tm in enumerate(terms):
        if not tm.index:
            part = tm.result
        else:
            total = namer.give(f"sum_{k}")
            names[total] = total
            body += _loop(tm, total, v, names, symbols, families, namer, printer.imports)
            part = e.mul(tm.factor, e.var(total, tm.result.shape))
        parts.append(e.neg(part) if tm.sign == "-" else part)
    result = e.add(*parts)
    printer.shared = _shared(result)
    value, prec = printer.pr(result)
    if result.is_scalar:
        value = f"float({value})"
    elif result.cols == ONE:
        value = f"{printer._wrap((value, prec), _ATOM)}.ravel()"
    fname = namer.give(f"{'grad' if kind == 'gradient' else 'derivative'}_{names[v.name]}")
    doc = _docstring(heading, status, arrays, names, families, extra, written, v, kind, terms)
    for sym, name in symbols.items():  # (the exponent of "\gamma > 0": a number)
        if sym.is_integer is not True:
            doc = doc.replace(
                f"{name}: an integer (the {sym} of", f"{name}: a positive number (the {sym} of"
            )
    lines = ["import numpy as np"] + [f"import {m}" for m in sorted(printer.imports)]
    params = (
        [names[k] for k in arrays] + [f.name for f in families.values()] + [n for n, _ in extra]
    )
    lines += ["", "", f"def {fname}({', '.join(params)}):", doc]
    lines += ["    " + line for line in head]
    numbers = {name for sym, name in symbols.items() if sym.is_integer is not True}
    lines += ["    " + f"{n} = {'float' if n in numbers else 'int'}({n})" for n, _ in extra]
    lines += ["    " + line for line in size_lines + body + printer.lines]
    lines.append(f"    return {value}")
    return SumCode(
        "\n".join(lines) + "\n",
        fname,
        tuple((names[k], k, x.shape) for k, x in arrays.items()),
        tuple(families.values()),
        tuple(extra),
    )


def _bounds_as_numbers(terms: list[CodeTerm]) -> list[CodeTerm]:
    r"""The terms with a number the engine read as a scalar symbol that is a sum's bound
    (``N`` of ``\frac{1}{N}\sum_{i=1}^N``, declared by nothing else) written as that bound:
    the number of terms, not a parameter of its own."""
    bounds = {str(tm.bound): tm.bound for tm in terms if isinstance(tm.bound, sympy.Symbol)}
    mapping: dict[str, Expr] = {}
    for tm in terms:
        for x in (*tm.factor.walk(), *tm.result.walk()):
            if isinstance(x, e.Var) and x.shape.is_scalar and x.name in bounds:
                mapping[x.name] = e.num(bounds[x.name])
    if not mapping:
        return terms
    return [
        replace(
            tm, factor=e.substitute(tm.factor, mapping), result=e.substitute(tm.result, mapping)
        )
        for tm in terms
    ]


def _arrays(terms: list[CodeTerm], v: e.Var, entry_shapes: dict[str, Shape]) -> dict[str, e.Var]:
    """The symbols: the variable first, then in order of use (members are the loop's own)."""
    members = {m.key: m for tm in terms for m in tm.members}
    arrays: dict[str, e.Var] = {v.name: v}
    for tm in terms:
        for x in (*tm.factor.walk(), *tm.result.walk()):
            if isinstance(x, e.Var) and x.name not in members and x.name not in arrays:
                arrays[x.name] = x
    for m in members.values():
        if m.entry_of is not None and m.entry_of not in arrays:
            arrays[m.entry_of] = e.var(m.entry_of, entry_shapes[m.entry_of])
    return arrays


def _families(terms: list[CodeTerm], written: dict[str, str], namer: _Names) -> dict[str, Family]:
    """The families summed over, by letter, each with the label of its first member."""
    families: dict[str, Family] = {}
    for tm in terms:
        for m in tm.members:
            if m.entry_of is not None:
                continue
            first = tm.start + min(k.shift for k in tm.members if k.base == m.base)
            known = families.get(m.base)
            if known is not None and (known.first != first or known.shape != m.shape):
                raise NumpyUnsupported("a family summed twice over different labels")
            if known is None:
                plain = next((k for k in tm.members if k.base == m.base and not k.shift), None)
                spelling = (
                    written.get(plain.key, plain.key) if plain is not None
                    else f"{written.get(m.base, m.base)}_{{{tm.index}}}"
                )  # fmt: skip
                families[m.base] = Family(
                    _give(namer, written.get(m.base, m.base)), m.base, m.shape, first, spelling,
                    tm.index,
                )  # fmt: skip
    return families


def _read_array(name: str, shape: Shape) -> str:
    if shape.is_scalar:
        return f"{name} = float({name})"
    how = ".reshape(-1, 1)" if shape.cols == ONE else ".reshape(1, -1)" if shape.rows == ONE else ""
    return f"{name} = np.asarray({name}, dtype=float){how}"


def _read_family(fam: Family) -> str:
    if fam.shape.is_scalar:
        return f"{fam.name} = np.asarray({fam.name}, dtype=float).ravel()"
    if fam.shape.cols == ONE or fam.shape.rows == ONE:  # vectors: one per row
        return f"{fam.name} = np.asarray({fam.name}, dtype=float).reshape(len({fam.name}), -1)"
    return f"{fam.name} = np.asarray({fam.name}, dtype=float)"  # matrices: (count, m, n)


def _sources(
    terms: list[CodeTerm],
    arrays: dict[str, e.Var],
    names: dict[str, str],
    families: dict[str, Family],
    namer: _Names,
) -> tuple[dict[sympy.Symbol, str], list[str], list[tuple[str, str]]]:
    """The dimensions the code needs, each read off a parameter's shape (``d = w.shape[0]``,
    ``N`` the number of terms of the sum it bounds), else an integer parameter."""
    needed = _needed(terms)
    found = _found(terms, arrays, names, families)
    symbols: dict[sympy.Symbol, str] = {}
    lines: list[str] = []
    extra: list[tuple[str, str]] = []
    for s in sorted(needed, key=str):
        name = namer.give(identifier(str(s)))
        symbols[s] = name
        if s in found:
            lines.append(f"{name} = {found[s]}")
        else:
            extra.append((name, str(s)))
    return symbols, lines, extra


def _needed(terms: list[CodeTerm]) -> set[sympy.Symbol]:
    needed: set[sympy.Symbol] = set()
    for tm in terms:
        for x in (*tm.factor.walk(), *tm.result.walk()):
            if isinstance(x, (e.Identity, e.Ones, e.Zero)):
                needed |= x.rows.free_symbols | x.cols.free_symbols
            if isinstance(x, e.Num):
                needed |= x.value.free_symbols
            if isinstance(x, (e.Pow, e.HPow)):
                needed |= x.exp.free_symbols
        if isinstance(tm.bound, sympy.Symbol):
            needed.add(tm.bound)
    return needed


def _found(
    terms: list[CodeTerm],
    arrays: dict[str, e.Var],
    names: dict[str, str],
    families: dict[str, Family],
) -> dict[sympy.Symbol, str]:
    """Where each dimension can be read: a parameter's shape, a sum's number of terms."""
    found: dict[sympy.Symbol, str] = {}
    for key, x in arrays.items():
        if x.shape.is_scalar:
            continue
        for i, d in enumerate((x.shape.rows, x.shape.cols)):
            if isinstance(d, sympy.Symbol):
                found.setdefault(d, f"{names[key]}.shape[{i}]")
    for fam in families.values():
        if fam.shape.is_scalar:
            continue
        dims = [fam.shape.rows, fam.shape.cols]
        if ONE in dims:  # a vector: one per row
            dims = [d for d in dims if d != ONE]
        for i, d in enumerate(dims):
            if isinstance(d, sympy.Symbol):
                found.setdefault(d, f"{fam.name}.shape[{i + 1}]")
    for tm in terms:  # the bound of a sum: its number of terms
        if isinstance(tm.bound, sympy.Symbol) and tm.index:
            found[tm.bound] = _last(tm, names, families)
    return found


def _last(tm: CodeTerm, names: dict[str, str], families: dict[str, Family]) -> str:
    """The last label of the sum: the length of an entry vector, else what the family's
    rows reach (its last row's label, less the largest shift)."""
    if isinstance(tm.bound, int):
        return str(tm.bound)
    entry = next((m.entry_of for m in tm.members if m.entry_of is not None), None)
    if entry is not None:
        return f"{names[entry]}.shape[0]"
    m = next(m for m in tm.members if m.entry_of is None)
    fam = families[m.base]
    top = max(k.shift for k in tm.members if k.base == m.base)
    offset = fam.first - 1 - top
    return f"len({fam.name})" + (
        f" + {offset}" if offset > 0 else f" - {-offset}" if offset else ""
    )


def _loop(
    tm: CodeTerm,
    total: str,
    v: e.Var,
    names: dict[str, str],
    symbols: dict[sympy.Symbol, str],
    families: dict[str, Family],
    namer: _Names,
    imports: set[str],
) -> list[str]:
    """``total = Σ_index result``: a loop over the labels, the members read in it."""
    i = namer.give(identifier(tm.index))
    for m in tm.members:
        label = tm.index + (f"m{-m.shift}" if m.shift < 0 else f"p{m.shift}" if m.shift else "")
        names[m.key] = namer.give(identifier(f"{m.base}_{label}"))
    last = symbols[tm.bound] if isinstance(tm.bound, sympy.Symbol) else _last(tm, names, families)
    zero = "0.0" if v.is_scalar else f"np.zeros_like({names[v.name]})"
    lines = [f"{total} = {zero}", f"for {i} in range({tm.start}, {last} + 1):"]
    for m in tm.members:
        at = _label(i, m.shift - (families[m.base].first if m.entry_of is None else 1))
        if m.entry_of is not None:
            lines.append(f"    {names[m.key]} = float({names[m.entry_of]}[{at}, 0])")
            continue
        fam = families[m.base].name
        if m.shape.is_scalar:
            lines.append(f"    {names[m.key]} = float({fam}[{at}])")
        elif m.shape.cols == ONE:
            lines.append(f"    {names[m.key]} = {fam}[{at}].reshape(-1, 1)")
        elif m.shape.rows == ONE:
            lines.append(f"    {names[m.key]} = {fam}[{at}].reshape(1, -1)")
        else:
            lines.append(f"    {names[m.key]} = {fam}[{at}]")
    inner = _Printer(names, symbols)
    inner.namer = namer
    inner.shared = _shared(tm.result)
    value = inner.pr(tm.result)[0]
    imports |= inner.imports
    lines += [f"    {line}" for line in inner.lines]
    lines.append(f"    {total} = {total} + {value}")
    return lines


def _label(i: str, offset: int) -> str:
    return i if offset == 0 else f"{i} + {offset}" if offset > 0 else f"{i} - {-offset}"


def _docstring(
    heading: str,
    status: str,
    arrays: dict[str, e.Var],
    names: dict[str, str],
    families: dict[str, Family],
    extra: list[tuple[str, str]],
    written: dict[str, str],
    v: e.Var,
    kind: str,
    terms: list[CodeTerm],
) -> str:
    ind = "    "
    doc = [heading]
    if status:
        doc += ["", status]
    doc += ["", "Parameters:"]
    entries = {
        m.entry_of: (m, tm.index or "i")
        for tm in terms
        for m in tm.members
        if m.entry_of is not None
    }
    for key, x in arrays.items():
        said = written.get(key, unbraced(key))
        said = f"{said}, " if said != names[key] else ""
        text = f"{ind}{names[key]}: {said}{_shape_text(x.shape.rows, x.shape.cols)}"
        if key in entries:
            m, index = entries[key]
            text = f"{ind}{names[key]}: {said}a vector (1-D, or a column) whose entry {index} is "
            text += f"{written.get(m.key, m.key)} ({index} from 1)"
        doc.append(text)
    for fam in families.values():
        each = _shape_text(fam.shape.rows, fam.shape.cols, given=False)
        how = (
            "a 1-D array" if fam.shape.is_scalar
            else "a 2-D array, one member per row" if fam.shape.cols == ONE
            else "a 3-D array, one member per index of the first axis"
        )  # fmt: skip
        doc.append(
            f"{ind}{fam.name}: the samples {fam.spelling}, as {how} (or a list of the "
            f"members): position k holds {fam.spelling} for {_label(fam.index + ' = k', fam.first)}; "
            f"each {each}"
        )
    for name, dim in extra:
        doc.append(f"{ind}{name}: an integer (the {dim} of the document)")
    w = names[v.name]
    shape = _shape_text(v.rows, v.cols, given=False)
    what = "the gradient" if kind == "gradient" else "the derivative"
    doc.append(f"Returns {what} of f with respect to {w}: {shape}, shaped like {w}.")
    text = "\n".join(f"{ind}{line}" if line else "" for line in doc).replace('"""', "'''")
    return f'{ind}r"""{text.lstrip()}\n{ind}"""'


# -- running it ------------------------------------------------------------------------------


SumPoint = tuple[dict[str, Array], dict[str, dict[int, Array]], dict[str, int], Array]


def run_sum_code(
    code: SumCode,
    values: dict[str, Array],
    sequences: dict[str, dict[int, Array]],
    sizes: dict[str, int],
    function: Any = None,
) -> Any:
    """Call the generated function (our own code only) with the symbols at ``values`` (2-D
    arrays by key, vectors passed 1-D), each family from ``sequences`` (its members by
    label) stacked as the docstring says, and ``sizes``."""
    function = function or _compiled(code)
    args: dict[str, Any] = {}
    for name, key, _ in code.arrays:
        a = values[key]
        args[name] = (
            float(a[0, 0]) if a.shape == (1, 1) else a[:, 0].copy() if a.shape[1] == 1 else a
        )
    for fam in code.families:
        seq = sequences[fam.base]
        labels = sorted(seq)
        if labels[0] != fam.first or labels != list(range(labels[0], labels[0] + len(labels))):
            raise ValueError("the members sampled are not the family's rows")
        members = [seq[k] for k in labels]
        if fam.shape.is_scalar:
            args[fam.name] = np.array([float(m[0, 0]) for m in members])
        elif fam.shape.cols == ONE or fam.shape.rows == ONE:
            args[fam.name] = np.stack([m.ravel() for m in members])
        else:
            args[fam.name] = np.stack(members)
    for name, dim in code.sizes:
        args[name] = sizes[dim]
    return function(**args)


def _compiled(code: SumCode) -> Any:
    """The generated function, defined (our own code: never a document's text)."""
    space: dict[str, Any] = {}
    exec(compile(code.source, f"<texgrad {code.function}>", "exec"), space)
    return space[code.function]


def check_sum_code(code: SumCode, points: Iterable[SumPoint], enough: int = 2) -> str | None:
    """Run ``code`` at the verifier's points (values, families, sizes, and the verified
    derivative there): None when it agrees at ``enough`` of them, else what went wrong."""
    function = _compiled(code)
    checked = 0
    for values, sequences, sizes, want in points:
        try:
            with np.errstate(all="ignore"):
                got = run_sum_code(code, values, sequences, sizes, function)
        except Exception as exc:  # noqa: BLE001 - our code failing is a refusal, not a crash
            return f"the NumPy code failed at a test point ({type(exc).__name__}: {exc})"
        if not agrees(got, want):
            return "the NumPy code disagreed with the verified derivative at a test point"
        checked += 1
        if checked == enough:
            return None
    return "the NumPy code could not be tested (no point in the function's domain)"
