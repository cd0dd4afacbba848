r"""The issue-14 derivation set: realistic documents whose equations should be differentiated.

Each folder of ``tests/derivations/`` is one document or project, written the way papers,
slides and notes are (declarations in prose, a macros file, ``\input`` sections, sums over
samples, functions the paper defines, named intermediates). A line holding math to
differentiate says so in a comment at its end — ``% …`` (LaTeX, and inside Markdown math,
which MathJax and KaTeX read as TeX does) or ``<!-- … -->``:

- ``diff: <wrt> => <answer>``: differentiating the row on this line with respect to
  ``<wrt>`` (as the document writes it) must give a verified result equal, at random points,
  to ``<answer>`` (LaTeX in the document's symbols, of the variable's shape for a gradient;
  ``\nabla`` layouts as the engine's kinds say). Without ``=> <answer>``: verified is enough.
- ``diff-refused: <wrt> [=> <answer>] -- needs: <what texgrad would need>``: today's texgrad
  gives no verified result there (or one that is not the answer); a strict xfail, so whoever
  lands the feature flips the marker to ``diff``.
  Even then its message must be in the document's words, never an internal tree dump.

The documents are also correct documents: ``texgrad check`` must report nothing on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from texgrad.calculus import expr as e
from texgrad.calculus.api import diff_in_document, unit_vectors_stated
from texgrad.calculus.arrays import EvaluationError
from texgrad.calculus.context import Context, context_at, row_at
from texgrad.calculus.defined_sums import held_sums, summed_out, terms_written_in
from texgrad.calculus.derive import DiffOutcome
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.fixed_indices import with_fixed_entries
from texgrad.calculus.lower import Env, FunctionDef, Lowerer, VarInfo
from texgrad.calculus.printing import Style
from texgrad.calculus.samples import (
    _defined_constants,
    _sample_sum,
    defined_members_written_in,
    is_sample_sum,
)
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.summed_member import over_a_set, over_an_index_set
from texgrad.calculus.sympy_dims import SCALAR
from texgrad.calculus.verify import _domain
from texgrad.calculus.written_simplex import resample
from texgrad.reading.document import detect_format
from texgrad.reading.macros import MacroTable, expand, merge, parse_definition
from texgrad.reading.project import Project, load_project, normalize
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import member_key, symbol_key

DERIVATIONS = Path(__file__).resolve().parent
MARKDOWN = (".md", ".markdown", ".qmd", ".rmd")
KINDS = ("diff", "diff-refused")
MARKER = re.compile(
    r"(?:%|<!--)[ \t]*(diff-refused|diff):[ \t]*(.*?)[ \t]*(?:-->|$)", re.M
)  # runs to the end of its comment: ``-->``, or the line's end after ``%``
TREE_DUMP = re.compile(r"\((?:[A-Z][a-z]+)(?::| )")  # `(Paren:(…`, `(Add 1 + …)`: a syntax tree


@dataclass(frozen=True)
class Marker:
    kind: str  # one of KINDS
    path: str  # relative to the document's folder, with "/"
    line: int  # 1-based
    wrt: str
    answer: str  # the textbook answer ("" when none is given)
    needs: str  # for diff-refused: what texgrad would need

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}:{self.wrt}"


def names() -> list[str]:
    return sorted(
        p.name for p in DERIVATIONS.iterdir() if p.is_dir() and not p.name.startswith("_")
    )


def files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".tex", *MARKDOWN)
    )


def _split(body: str) -> tuple[str, str, str]:
    """``<wrt> [=> <answer>] [-- needs: <feature>]`` as its three parts."""
    body, _, needs = body.partition("-- needs:")
    wrt, _, answer = body.partition("=>")
    return wrt.strip(), answer.strip(), needs.strip()


def read_markers(folder: Path) -> list[Marker]:
    out = []
    for path in files(folder):
        rel = path.relative_to(folder).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in MARKER.finditer(line):
                wrt, answer, needs = _split(m[2])
                out.append(Marker(m[1], rel, n, wrt, answer, needs))
    return out


def _project(path: Path, folder: Path) -> tuple[str, Project | None]:
    """The document's key and its LaTeX project, as ``texgrad diff --file`` finds them."""
    key = normalize(str(path))
    if detect_format(key) != "latex":
        return key, None
    return key, load_project(key, folder=folder)


# Seconds each marked row may take.  The engine's default, 5 s on the wall clock, decided
# results under a loaded CI machine: rmarkdown-batchnorm's row, 0.44 s of CPU time, took
# 2.2 s on the wall clock with other engineers' tests beside it.  The claim is the result,
# not its speed; a runaway still ends.
BUDGET = 60.0


def differentiate(folder: Path, marker: Marker) -> DiffOutcome:
    key, project = _project(folder / marker.path, folder)
    return diff_in_document(
        key, marker.line, marker.wrt, budget=BUDGET, project=project, folder=folder
    )


def answer_form(out: DiffOutcome, marker: Marker) -> str:
    """What is compared with a textbook answer: a sum over samples' matrix form where it has
    one (verified equal to the sum of its summands: ``2X^\\top(Xw - y)``) and the answer is
    no sum, else the result."""
    if "\\sum" in marker.answer:
        return out.result
    return out.matrix_form or out.result


def macros_of(folder: Path) -> MacroTable:
    """The macros every file of the folder defines (``\\newcommand{\\vx}{…}``)."""
    found = []
    for path in files(folder):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"\\(?:newcommand|renewcommand|DeclareMathOperator|def)\b", text):
            macro, _ = parse_definition(text, m.start())
            if macro is not None:
                found.append(macro)
    return merge([found])


def _lowered(text: str, lowerer: Lowerer, macros: MacroTable) -> Expr | None:
    expanded, _ = expand(MappedText.identity(text), macros)
    row = parse_row(expanded)
    if row.tree is None:
        return None
    try:
        return lowerer.lower(row.tree)
    except CalculusError:
        return None


def _with_unit_vectors(env: Env, wrt: str, result: str) -> Env:
    r"""``env`` with the unit vectors a result by a matrix names (``\mathbf{e}_{t}``, a row of
    V through which ``\mathbf{v}_t = V^\top\mathbf{e}_t``) as vectors of its rows, for the
    answer and the result alike (random vectors, the same for both)."""
    tree = parse_row(MappedText.identity(wrt)).tree
    key = symbol_key(tree) if tree is not None else None
    info = env.vars.get(key[0]) if key is not None else None
    if info is None or info.shape.cols == e.ONE:
        return env
    added = {}
    for m in re.finditer(r"\\mathbf\{e\}_\{?([a-z])\}?", result):
        unit = f"e_{{{m.group(1)}}}"
        if unit not in env.vars:
            added[unit] = VarInfo(unit, e.Shape(info.shape.rows, e.ONE), m.group(0))
    return replace(env, vars={**env.vars, **added}) if added else env


def _set_sum_read(
    tree: t.Node, env: Env, marker: Marker, result: str, text: str, wrt_node: t.Node | None
) -> tuple[t.Node, Marker, str]:
    r"""``\sum_{(i,j) \in \Omega}`` by u_i read as texgrad reads it, a sum over j (in the row,
    the marker's answer and the result); everything as it is where the row has none."""
    wrt_key = symbol_key(wrt_node) if wrt_node is not None else None
    set_sum = over_a_set(tree, wrt_key[0], wrt_node, text, set(env.vars)) if wrt_key else None
    if set_sum is None and wrt_key is not None:  # \sum_{i \in \mathcal B}: over some members
        set_sum = over_an_index_set(tree, text, wrt_node)
    if set_sum is None:
        return tree, marker, result
    for entry, latex in set_sum.entries:  # r_{ij}: a number for a fixed pair
        env.vars.setdefault(entry, VarInfo(entry, SCALAR, latex))
    answer = _over_the_other(marker.answer, set_sum.written, set_sum.head)
    result = _over_the_other(result, set_sum.written, set_sum.head)
    return set_sum.tree, replace(marker, answer=answer), result


def _over_the_other(latex: str, written: str, head: str) -> str:
    r"""``latex`` with ``\sum_{j : (i,j) \in \Omega}`` (however spaced) read as ``\sum_{j}``."""
    pattern = r"\s*".join(re.escape(c) for c in "".join(written.split()))
    return re.sub(pattern, lambda _: head, latex)


def agrees_with_answer(
    folder: Path, marker: Marker, result: str, where: list[str] | tuple[str, ...] = ()
) -> str | None:
    """None when ``result`` equals the marker's answer at random points, else why not;
    ``where``: the names the result gives its parts (``\\mathbf{t}_0 = …``), read first."""
    if "".join(result.split()) == "".join(marker.answer.split()):
        return None  # the answer itself, to the letter
    path = folder / marker.path
    text = path.read_text(encoding="utf-8")
    key, project = _project(path, folder)
    checked = Checker().check(key, project, folder, text=text)
    lines = text.split("\n")
    start = sum(len(x) + 1 for x in lines[: marker.line - 1])
    row = row_at(checked, start, start + len(lines[marker.line - 1]))
    if row is None or row.tree is None:
        return "no row on that line"
    macros = macros_of(folder)
    env = context_at(checked, row).env
    env = _with_unit_vectors(with_names(env, where, macros), marker.wrt, result)
    wrt_node = _parsed(marker.wrt, macros)
    wrt_key = symbol_key(wrt_node) if wrt_node is not None else None
    if wrt_key is not None:  # r_{ui} of ℓ_{ui} = …: a number, as texgrad diff reads it
        with_fixed_entries(row.tree, env, wrt_key[0])
    tree, marker, result = _set_sum_read(row.tree, env, marker, result, text, wrt_node)
    tree, env = _through_defined_sums(tree, env, marker.wrt, text, macros)
    env = _members_like_their_family(env, row.tree, marker.answer, result, macros)
    units = unit_vectors_stated(checked.doc.text, lambda: macros)  # one-hot: 1ᵀy = 1
    if "\\sum" in marker.answer and is_sample_sum(tree, env):  # evaluated as written
        constants = _with_constants(env, marker.wrt, macros)  # α = K^{-1}y: α_i entries
        return _agree_as_sums(tree, constants, result, marker.answer, macros, where, units)
    got = _lowered(result, Lowerer(env), macros)
    want = _lowered(marker.answer, Lowerer(env), macros)
    if want is None:
        return f"the answer `{marker.answer}` is not readable here"
    if got is None:
        return f"the result `{result}` is not readable back here"
    try:
        f = Lowerer(env).lower(tree)
    except CalculusError:  # a sum over samples (its members are no variables here)
        f = want
    shapes = {x.name: x.shape for g in (f, got, want) for x in g.walk() if isinstance(x, e.Var)}
    _with_dimensions_used(shapes, (f, got, want), env)  # N of \frac{N}{2}, X ∈ ℝ^{N×D}
    pd, pos, sym = _domain(f, env)
    compared = 0
    for seed in range(6):
        rng = np.random.default_rng(7 + seed)
        values, sizes = sample_inputs(
            shapes, positive_definite=pd & set(shapes), positive=pos & set(shapes),
            symmetric=sym & set(shapes), rng=rng,
        )  # fmt: skip
        resample(values, {k: units[k] for k in shapes if k in units and k != marker.wrt}, rng)
        try:
            with np.errstate(all="raise"):
                a = np.asarray(evaluate(got, values, sizes), dtype=float)
                b = np.asarray(evaluate(want, values, sizes), dtype=float)
        except (EvaluationError, np.linalg.LinAlgError, FloatingPointError, ValueError,
                ZeroDivisionError, OverflowError):  # fmt: skip
            continue  # outside the domain at this point (a singular Gram matrix)
        except KeyError as missing:  # a differential `A dX B` where the answer is no dX
            return f"the result `{result}` holds {missing} the answer has no value for"
        if a.shape != b.shape and a.T.shape == b.shape and 1 in a.shape:
            a = a.T  # a gradient written as a row where the answer is a column
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-8):
            return f"`{result}` differs from `{marker.answer}` at a random point"
        compared += 1
        if compared == 3:
            break
    if compared == 0:
        return "no random point where both the result and the answer evaluate"
    return None


def _with_dimensions_used(shapes: dict[str, Any], exprs: tuple[Expr, ...], env: Env) -> None:
    """``shapes`` with a declared symbol sized by each dimension the expressions use as a
    number and no symbol of theirs sizes (``N`` of ``\\frac{N}{2}\\Sigma^{-1}``), so that
    the sampled sizes give it a value."""
    sized = {d for s in shapes.values() for d in s.rows.free_symbols | s.cols.free_symbols}
    used = {
        d for x in exprs for n in x.walk() if isinstance(n, e.Num) for d in n.value.free_symbols
    }
    for key, info in env.vars.items():
        dims = info.shape.rows.free_symbols | info.shape.cols.free_symbols
        if (used - sized) & dims and key not in shapes:
            shapes[key] = info.shape
            sized |= dims


def with_names(
    env: Env, where: list[str] | tuple[str, ...], macros: MacroTable | None = None
) -> Env:
    """``env`` with the names a result gives its parts (``\\mathbf{q}_0 = \\sigma(W\\mathbf{x})``)
    defined, as the document's own definitions are."""
    if not where:
        return env
    functions = dict(env.functions)
    for text in where:
        source = MappedText.identity(text)
        node = parse_row(expand(source, macros)[0] if macros is not None else source).tree
        if not (isinstance(node, t.Chain) and node.relations == ("=",)):
            continue
        head, body = node.items
        key = symbol_key(head) if head is not None else None
        if key is not None and body is not None:
            functions[key[0]] = FunctionDef(key[0], (), body)
    return replace(env, functions=functions)


def _with_constants(env: Env, wrt: str, macros: MacroTable) -> Env:
    """``env`` with the vectors it defines without involving ``wrt`` read as constants, as
    ``texgrad diff`` reads a sum over samples (``\\alpha_i`` of ``\\alpha = K^{-1}y``)."""
    node = _parsed(wrt, macros)
    key = symbol_key(node) if node is not None else None
    if key is None:
        return env
    return _defined_constants(Context(env, Style()), key[0]).env


def _through_defined_sums(
    tree: t.Node, env: Env, wrt: str, text: str, macros: MacroTable
) -> tuple[t.Node, Env]:
    """The row and ``env`` as ``texgrad diff`` reads a name defined by a sum over samples
    (the scatter matrix S): a constant where it does not involve ``wrt``, else written in."""
    node = _parsed(wrt, macros)
    key = symbol_key(node) if node is not None else None
    if key is None:
        return tree, env
    named = terms_written_in(tree, Context(env, Style()), text, lambda: macros)
    if named is not None:  # E(w) + ½α wᵀw of E(w) = -\sum_n …: E's sum written in
        tree, text = named
    ctx = held_sums(tree, key[0], Context(env, Style()))
    written_in = summed_out(tree, key[0], ctx, text, lambda: macros)
    return (written_in[0] if written_in is not None else tree), ctx.env


def _members_like_their_family(
    env: Env, tree: t.Node, answer: str, result: str, macros: MacroTable
) -> Env:
    """``env`` with each member the row, answer or result names that nothing declares, of a
    family declared as a list (``\\mathbf{h}_{t-1}`` of ``\\mathbf{h}_0, \\dots,
    \\mathbf{h}_T``), shaped like the listed members, as ``texgrad diff`` reads its variable."""
    lowerer = Lowerer(env)
    added: dict[str, VarInfo] = {}
    for node in (tree, _parsed(answer, macros), _parsed(result, macros)):
        for n in node.walk() if node is not None else ():
            key = symbol_key(n) if isinstance(n, t.Sub) else None
            if key is None or key[0] in env.vars or key[0] in env.functions:
                continue
            like = lowerer.like_its_family(key[0])
            if like is not None:
                added[key[0]] = like
    return replace(env, vars={**env.vars, **added}) if added else env


def _parsed(text: str, macros: MacroTable) -> t.Node | None:
    expanded, _ = expand(MappedText.identity(text), macros)
    return parse_row(expanded).tree


def _bounds(tree: t.Node) -> set[str]:
    """The letters that bound the sums of ``tree`` (N of ``\\sum_{i=1}^N``): counts."""
    return {
        k[0]
        for n in tree.walk()
        if isinstance(n, t.BigOp) and n.upper is not None and (k := symbol_key(n.upper)) is not None
    }


def _agree_as_sums(
    tree: t.Node,
    env: Env,
    result: str,
    answer: str,
    macros: MacroTable,
    where: list[str] | tuple[str, ...] = (),
    units: dict[str, str] | None = None,
) -> str | None:
    """A result and an answer over a family of samples (``\\sum_t 2(Ax_{t-1} - x_t)…``)
    compared by evaluating both as written, every member sampled (labels 0 to 9); ``where``:
    the names the result gives its parts (``\\mathbf{s} = \\sum_i …``), evaluated first."""
    got, want = _parsed(result, macros), _parsed(answer, macros)
    if want is None:
        return f"the answer `{answer}` is not readable here"
    if got is None:
        return f"the result `{result}` is not readable back here"
    # (members the document defines, y_n = \sigma(\mathbf w^\top \mathbf x_n): their values)
    tree, got, want = (defined_members_written_in(x, None, env)[0] for x in (tree, got, want))
    members = {}
    # (the result's and the answer's sums too: a nested sum of the row is not read as one)
    for node in (*tree.walk(), *got.walk(), *want.walk()):
        if isinstance(node, t.BigOp) and node.op == "\\sum":
            try:
                members.update({m.base: m for m in _sample_sum(node, env).members})
            except CalculusError:
                continue
    names = _named(env, (tree, got, want))
    shapes = {k: env.vars[k].shape for k in names if k in env.vars}
    pd, pos, sym = set(), set(), set()
    for k in shapes:
        info = env.vars[k]
        (pd if info.positive_definite else sym if info.symmetric else set()).add(k)
    compared = 0
    for seed in range(3):
        rng = np.random.default_rng(70 + seed)
        values, sizes = sample_inputs(
            shapes, positive_definite=pd, positive=pos, symmetric=sym, rng=rng
        )
        at: dict[str, object] = {**values, **{k: np.array([[float(v)]]) for k, v in sizes.items()}}
        count = next(n for n in range(3, 20) if n not in sizes.values())
        # the sum's bound (N, T) when no dimension names it (not I nor 1: sized by context;
        # not Euler's e of e^{…}, which the evaluator knows)
        called = {k for k, f in env.functions.items() if f.params}  # (σ of σ(t) = …)
        for name in names - set(at) - {"I", "1", "e"} - called:
            at[name] = np.array([[float(count)]])
        for name in _bounds(tree) - set(sizes):  # a bound read as a scalar (N of \frac1N too)
            at[name] = np.array([[float(count)]])
        for base, m in members.items():
            if m.entry_of is None:
                rows, cols = (_size(d, sizes) for d in (m.shape.rows, m.shape.cols))
                family = rng.standard_normal((25, rows, cols))
                at[f"family:{base}"] = _in_their_set(family, (units or {}).get(m.key), rng)
                at[f"family-first:{base}"] = np.array([[0.0]])
        functions = {k: (f.params, f.body) for k, f in env.functions.items() if f.params}
        try:
            with np.errstate(all="raise"):  # (k(x, x_i): the document's own functions)
                _where_values(at, where, macros, functions)
                a = np.asarray(evaluate_tree(got, at, functions), dtype=float)
                b = np.asarray(evaluate_tree(want, at, functions), dtype=float)
        except (EvaluationError, np.linalg.LinAlgError, FloatingPointError, ValueError,
                ZeroDivisionError, OverflowError, KeyError):  # fmt: skip
            continue
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-8):
            return f"`{result}` differs from `{answer}` at a random point"
        compared += 1
    if compared == 0:
        return "no random point where both the result and the answer evaluate"
    return None


def _in_their_set(family: np.ndarray, kind: str | None, rng: np.random.Generator) -> np.ndarray:
    """The members of a family of vectors the text says are one-hot or distributions
    (1ᵀy_i = 1), each drawn so (the others as given)."""
    if kind is None or family.shape[2] != 1:
        return family
    for k in range(family.shape[0]):
        one = {"y": family[k]}
        resample(one, {"y": kind}, rng)
        family[k] = one["y"]
    return family


def _where_values(
    at: dict[str, Any], where: list[str] | tuple[str, ...], macros: MacroTable, functions: Any
) -> None:
    """``at`` with the names a result gives its parts (``\\mathbf{s} = \\sum_i …``), in order."""
    for named in where:
        head, body = (_parsed(x, macros) for x in named.split(" = ", 1))
        key = symbol_key(head) if head is not None else None
        if key is not None and body is not None:
            at[key[0]] = np.asarray(evaluate_tree(body, at, functions), dtype=float)


def _named(env: Env, trees: tuple[t.Node, ...]) -> set[str]:
    """The symbols of the trees, and those of the bodies of the functions they call (s of
    k(x, x') = s^2 exp(…): a result may name k only)."""
    names = {k[0] for g in trees for n in g.walk() if (k := symbol_key(n))}
    names |= {  # \mathbf z_i^{+}, declared: a name of its own
        k[0] for g in trees for n in g.walk()
        if isinstance(n, t.Power) and (k := member_key(n)) and k[0] in env.vars
    }  # fmt: skip
    for f in env.functions.values():
        if f.params and f.key in names:
            inside = {k[0] for n in f.body.walk() if (k := symbol_key(n))} - set(f.params)
            inside.discard("e")  # (Euler's e of σ(t) = 1/(1 + e^{-t}), beside a declared 𝐞_w)
            names |= inside & set(env.vars)  # (not e of e^{-t}: no bound of a sum either)
    return names


def _size(d: Any, sizes: dict[str, int]) -> int:
    return int(d.subs({x: sizes[x.name] for x in d.free_symbols}))
