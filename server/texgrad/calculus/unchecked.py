r"""What a checked document leaves unchecked, and why, in the document's own words.

texgrad is silent where it cannot be sure: a row it cannot read, a letter it knows no shape
of, a function it cannot differentiate, a written derivative it cannot verify.  Silence is
right in a diagnostic list (no false alarm), but the user must be able to learn why.  This
module lists those places as plain values (:class:`Unchecked`), for ``texgrad check
--explain`` and the editor's hover:

- ``unread-math``: a row that does not parse, with where it stops being read;
- ``unknown-shape``: a letter used in an operation with no shape known (never declared, nor
  defined, nor inferred), once per letter at its first use, with a declaration that fits its
  use (:func:`texgrad.calculus.reasons.unknown_shape`) and how many rows it leaves unchecked;
- ``cannot-differentiate``: a row stating a function that offers nothing to differentiate
  (:func:`texgrad.calculus.refusals.refusal_at`'s reason);
- ``derivative-not-checked``: a derivative the document writes that could be neither
  verified nor shown wrong (:func:`claim_reason` says why in words), or that is no
  ``derivative = expression`` equation at all — used inside a formula, bounded, assigned,
  set to zero, given a size (:func:`unclaimed_derivatives`).

Messages quote the document's source, never a syntax tree (what the engine printed from
one is spelled back as the document wrote it: :mod:`texgrad.calculus.quotes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from texgrad.calculus.evidence import inferred_use
from texgrad.calculus.quotes import in_document_words
from texgrad.shapes.check import CheckResult
from texgrad.shapes.formulas import PLAIN_REALS
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

UNREAD = "unread-math"
UNKNOWN = "unknown-shape"
REFUSED = "cannot-differentiate"
CLAIM = "derivative-not-checked"
CODES = (UNREAD, UNKNOWN, REFUSED, CLAIM)

# letters read as constants or operators, never as symbols to declare
_CONSTANTS = frozenset(("e", "\\pi", "\\infty", "i", "\\ell", "\\dots", "\\cdots", "\\ldots"))
_MAX_EXPLAINED = 200  # per document and kind: a huge document is not listed in full


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A place texgrad does not check, and why (``message``: in the document's words)."""

    path: str
    start: int
    end: int
    code: str
    message: str


def explain(
    result: CheckResult,
    claims: list[tuple[int, int, str, str, str]] | None = None,
    derivatives: bool = True,
) -> list[Unchecked]:
    """Everything of ``result``'s own document left unchecked, in document order.
    ``claims``: the written derivatives left undecided, (start, end, internal reason), from
    :attr:`~texgrad.calculus.written_derivatives.Tally.undecided`; without ``derivatives``
    (``check --no-derivatives``), only what the shapes leave (no row that cannot be
    differentiated, no derivative not checked: none was looked at)."""
    unknown = unknown_letters(result)
    if not derivatives:
        return sorted(unread_rows(result) + unknown, key=lambda u: (u.start, u.end))
    letters = {_bare(u.message.split("`")[1]) for u in unknown}
    errors = [(d.start, d.end) for d in result.diagnostics if d.severity == "error"]
    beyond = [  # rows too deep or too large to read: said by their warning
        (d.start, d.end) for d in result.diagnostics if d.code in _NOT_READ
    ]
    refused = [  # a row refused for a letter said above is said there; one whose shapes
        # disagree, by the error on it (one mistake, one message); one too deep, by its warning
        r for r in refused_rows(result)
        if _letter_of(r.message) not in letters and not any(r.start <= s < r.end for s, _ in errors)
        and not any(s < r.end and r.start < e for s, e in beyond)
    ]  # fmt: skip
    found = unread_rows(result) + unknown + refused
    found += [
        Unchecked(
            result.path,
            a,
            b,
            CLAIM,
            in_document_words(claim_reason(with_cause(result, a, b, why), f, x), result, a, b),
        )  # fmt: skip
        for a, b, why, f, x in claims or ()
        if not (  # its shapes do not agree, and the error said there says so already
            why.startswith("written side not evaluated") and any(a <= s < b for s, _ in errors)
        )
    ]
    found += unclaimed_derivatives(result, found)
    return sorted(found, key=lambda u: (u.start, u.end, CODES.index(u.code)))


# the warnings of a row texgrad does not read (syntax.limits): its cannot-differentiate note
# would say the same again
_NOT_READ = frozenset({"too-deep", "too-large"})


def _bare(written: str) -> str:
    return "".join(c for c in written if c not in "{} ")


def _letter_of(message: str) -> str | None:
    """The letter of "… the shape of `\\sigma_{n}` is unknown — …", bare; else None."""
    _, sep, rest = message.partition("the shape of `")
    return _bare(rest.split("`", 1)[0]) if sep else None


# -- rows that do not parse -----------------------------------------------------------------


def _own_rows(result: CheckResult) -> list[PlacedRow]:
    return [r for r in result.rows if r.path == result.path]


def unread_rows(result: CheckResult, rows: list[PlacedRow] | None = None) -> list[Unchecked]:
    """Each row of the document (or of ``rows``) that does not parse, with the parser's
    reason and where."""
    from texgrad.syntax.parse import parse_row

    unread = [r for r in (_own_rows(result) if rows is None else rows) if not r.parsed]
    if not unread:
        return []
    by_start = {
        row.start: row for region in result.doc.regions for row in region.rows
    }  # the rows as read (their mapped text, to parse again for the reason)
    text = result.doc.text
    out = []
    for row in unread[:_MAX_EXPLAINED]:
        source = by_start.get(row.start)
        error = parse_row(source.text).error if source is not None else None
        quoted = _quote(text[row.start : row.end])
        if error is not None and row.start <= error.start <= row.end:
            near = _quote(text[error.start : _token_end(text, error.start, error.end)], 20)
            why = f"{_reason(error.message)} at {near}" if near else _reason(error.message)
        else:
            why = "texgrad does not read it"
        out.append(Unchecked(result.path, row.start, row.end, UNREAD,
                             f"{quoted} is not checked: {why}"))  # fmt: skip
    return out


def _token_end(text: str, start: int, end: int) -> int:
    """The end of what to quote of a parse error: at least a command and what follows it
    (``\\big(``, not ``\\``)."""
    end = max(end, start + 1)
    if text[start : start + 1] == "\\":
        end = start + 1
        while end < len(text) and text[end].isalpha():
            end += 1
        end = min(len(text), end + 1)
    return end


def _reason(message: str) -> str:
    return message[:1].lower() + message[1:] if message else "texgrad does not read it"


# -- letters of unknown shape --------------------------------------------------------------


def operand_letters(tree: t.Node) -> Iterator[t.Node]:
    r"""The letters of a row used as operands of an operation (a factor, a term, what is
    transposed, inverted, normed, or an argument of a named function such as ``\log``);
    not an index, a bound, an exponent, a function's name, text, or a derivative (written
    derivatives are said on their own)."""
    stack: list[t.Node] = [tree]
    while stack:
        node = stack.pop()
        for child in _operands(node):
            if isinstance(child, t.Power) and _shifted_member(child) is not None:
                yield child  # \delta^{(l+1)}: a member of a family, named as a whole
            elif symbol_key(child) is not None and not isinstance(child, t.Prime):
                yield child
            else:
                stack.append(child)


def _shifted_member(node: t.Power) -> t.Tagged | None:
    r"""``\delta^{(l+1)}``, ``W^{(l-1)}``: the member of a family a power whose label has a
    sign names (the parser leaves it a power of the letter); None for any other power."""
    from texgrad.calculus.lower import as_member

    member = as_member(node)
    return member if isinstance(member, t.Tagged) else None


def _operands(node: t.Node) -> tuple[t.Node, ...]:
    if isinstance(node, t.Product):
        return tuple(
            f for i, f in enumerate(node.factors) if not _called(f, node.factors[i + 1 : i + 2])
        )
    if isinstance(node, t.Add):
        return node.terms
    if isinstance(node, t.Neg):
        return (node.operand,)
    if isinstance(node, t.Frac):
        return (node.num, node.den)
    if isinstance(node, (t.Transpose, t.InverseTranspose)):
        return (node.base,)
    if isinstance(node, t.Power):
        return (node.base,)
    if isinstance(node, (t.Paren, t.Norm, t.Abs)):
        return (node.body,) if node.body is not None else ()
    if isinstance(node, t.Apply):
        return node.args if isinstance(node.func, t.Func) else ()
    if isinstance(node, t.Chain):  # (a lone letter is a name; f(x) the function stated)
        items = node.items  # (what follows \in is a space or a set: p \in \Delta^{n-1} = \{…\})
        if "\\in" in node.relations:
            items = items[: node.relations.index("\\in") + 1]
        items = tuple(i for k, i in enumerate(items) if not _set_written(node, k))
        return tuple(
            i for i in items if i is not None and not isinstance(i, t.Symbol | t.Sub)
            and not _head(i)
        )  # fmt: skip
    if isinstance(node, (t.Font, t.Accent)):
        return (node.body,) if not isinstance(node.body, t.Symbol) else ()
    if isinstance(node, (t.Matrix, t.Aligned)):
        return tuple(c for row in node.rows for c in row if c is not None)
    if isinstance(node, t.BigOp):
        return (node.body,) if node.body is not None else ()
    return ()


# the relations a set stands after: x \in \mathbf{R}^n, f : \mathbf{R}^n \to \mathbf{R}^m
_SET_PLACES = frozenset({"\\in", "\\notin", "\\to", "\\rightarrow", ":", "\\subset", "\\subseteq"})


def _set_written(chain: t.Chain, k: int) -> bool:
    r"""Is item ``k`` of ``chain`` a set standing where a set goes (``\mathbf{R}^m`` of ``f :
    \mathbf{R}^n \to \mathbf{R}^m``, ``\Re^n``): no operand, its letter nothing to declare."""
    from texgrad.shapes.formulas import written_as_set

    item = chain.items[k]
    if k == 0 or item is None or chain.relations[k - 1] not in _SET_PLACES:
        return False
    return written_as_set(item, PLAIN_REALS.get())


def _called(letter: t.Node, after: tuple[t.Node, ...]) -> bool:
    r"""``k(X, X_*)``, ``\mathcal N(0, I)``: a letter written as a function called on
    arguments, not an operand (what it is is the document's function, said elsewhere)."""
    if not after or not isinstance(after[0], t.Paren) or after[0].start != letter.end:
        return False
    body = after[0].body
    font = symbol_key(letter)
    return isinstance(body, t.List) or (font is not None and font[1] in ("mathcal", "mathbb"))


def _head(item: t.Node) -> bool:
    """``S(\\boldsymbol\\beta)``, ``f(x, y)``: a function with its arguments, as stated."""
    if isinstance(item, t.Apply):
        return True
    return (
        isinstance(item, t.Product) and len(item.factors) == 2
        and symbol_key(item.factors[0]) is not None and isinstance(item.factors[1], t.Paren)
        and item.factors[1].start == item.factors[0].end
    )  # fmt: skip


_IDENTITIES = frozenset(("I", "0", "1", "O", "J"))  # sized by their neighbours (identities, zeros)


def _unknown(result: CheckResult, node: t.Node) -> bool:
    """Has this letter no shape the checker can report on (none, or only inferred from use)?"""
    return _no_shape_at(result, node, result.path)


def _operation(tree: t.Node) -> bool:
    return not isinstance(tree, (t.Symbol, t.Sub, t.Number, t.Text, t.Opaque, t.Empty))


def unknown_letters(result: CheckResult) -> list[Unchecked]:
    """One entry per letter of unknown shape used in an operation, at its first such use:
    that it has no shape and why (never declared, declared only later, defined by a formula
    of unknown shape), what to declare, and how many rows it leaves unchecked."""
    token = PLAIN_REALS.set(result.table.plain_reals)  # (R^n the reals: no letter R)
    try:
        return _unknown_letters(result)
    finally:
        PLAIN_REALS.reset(token)


def _unknown_letters(result: CheckResult) -> list[Unchecked]:
    first: dict[str, tuple[t.Node, PlacedRow]] = {}
    rows: dict[str, set[int]] = {}
    for row in _own_rows(result):
        tree = row.tree
        if tree is None or not _operation(tree) or t.writes_derivative(tree):
            continue
        params = _parameters_defined(tree)
        valued = _valued_arguments(result, tree)
        for node in operand_letters(tree):
            if any(a <= node.start and node.end <= b for a, b in valued):
                continue  # y of \tau(y), declared as a call: the call has its shape
            if isinstance(node, t.Power):  # \delta^{(l+1)}, which the parser leaves a power
                member = _shifted_member(node) if result.shapes.get(node) is None else None
                if member is None:
                    continue
                node = member
            if symbol_key(node) not in params and _unknown(result, node):
                written = result.doc.text[node.start : node.end].strip() or str(symbol_key(node))
                first.setdefault(written, (node, row))
                rows.setdefault(written, set()).add(row.start)
    out = []
    for written, (node, row) in list(first.items())[:_MAX_EXPLAINED]:
        n = len(rows[written])
        where = "the row using it is" if n == 1 else f"the {n} rows using it are"
        family = _family_only(result, node)
        what = _not_a_quantity(result, row, node)
        if what is not None:  # X_{1:k} of a declared X, \mathbb E: not a letter to declare
            message = f"`{written}` has no shape: {what} ({where} not checked)"
            out.append(Unchecked(result.path, node.start, node.end, UNKNOWN, message))
            continue
        if family is not None:  # \mathbf{x} beside \mathbf{x}_t: what it is, not a guess
            why = f"it is never declared, only the family `{family[0]}` is ({family[1]})"
            said = f"declare `{written}` itself if it names a quantity of its own"
        else:
            said = _elsewhere(result, node, written) or _declare(result, row, node, written)
            why = _why_no_shape(result, node)
        message = f"`{written}` has no shape: {why}; {said} ({where} not checked)"
        out.append(Unchecked(result.path, node.start, node.end, UNKNOWN, message))
    return out


def _not_a_quantity(result: CheckResult, row: PlacedRow, node: t.Node) -> str | None:
    r"""What a letter of unknown shape is where it is no quantity to declare, in words: a
    block of a declared matrix (``X_{1:k}``), an expectation (``\mathbb E``), a set a sum
    runs over (``\mathcal D`` of ``\sum_{(x, y) \in \mathcal D}``); None otherwise."""
    from texgrad.calculus.refusals import tensor_entry
    from texgrad.calculus.written import is_expectation

    block = _block_of_declared(result, node)
    if block is not None:
        return f"it is a block of `{block}`, which texgrad does not read"
    if tensor_entry(node):
        return "it is an entry of a tensor (three indices or more), which texgrad does not read"
    if is_expectation(node):
        return "it is an expectation, which texgrad does not read"
    if row.tree is not None and _a_set(row.tree, node):
        return "it is a set (what `\\in` ranges over), not a quantity with a shape"
    return None


def _a_set(tree: t.Node, node: t.Node) -> bool:
    """Does ``node`` stand right of ``\\in`` in a relation of ``tree``?"""
    for n in tree.walk():
        if isinstance(n, t.Chain) and "\\in" in n.relations:
            at = [i + 1 for i, r in enumerate(n.relations) if r == "\\in"]
            if any(n.items[i] is node for i in at):
                return True
    return False


def _block_of_declared(result: CheckResult, node: t.Node) -> str | None:
    r"""``X`` as written, of ``X_{1:k}``, ``X_{1:k, 1:k}`` or ``X_{i \times i}`` (a slice or a
    leading block, as the engine refuses them) where ``X`` is declared; None otherwise."""
    if not isinstance(node, t.Sub):
        return None
    index = node.index
    sliced = any(
        isinstance(n, t.Chain)
        and ":" in n.relations
        or isinstance(n, t.BinOp)
        and n.op in ("\\times", ":")
        for n in index.walk()
    )
    times = "\\times" in result.doc.text[index.start : index.end]
    key = symbol_key(node.base)
    if not (sliced or times) or key is None or key[0] not in result.table.declarations:
        return None
    return result.doc.text[node.base.start : node.base.end].strip() or None


def _valued_arguments(result: CheckResult, tree: t.Node) -> list[tuple[int, int]]:
    r"""The spans of the brackets after a letter whose call the document declares
    (``\tau(y) \in \mathbb{R}^{M \times d}``): what they hold is an argument, not an operand."""
    spans = []
    for node in tree.walk():
        if isinstance(node, t.Apply) and node.args:
            pairs = [(node.func, node.args[0])]
        elif isinstance(node, t.Product):
            pairs = list(zip(node.factors, node.factors[1:], strict=False))
        else:
            continue
        for f, after in pairs:
            if isinstance(node, t.Apply):
                key = symbol_key(f)
                decl = result.table.lookup(key[0], key[1], result.path, f.start) if key else None
                if decl is not None and decl.how == "value":
                    spans.append((f.end, node.end))
                continue
            key = symbol_key(f)
            if key is None or not isinstance(after, t.Paren) or after.start != f.end:
                continue
            decl = result.table.lookup(key[0], key[1], result.path, f.start)
            if decl is not None and decl.how == "value":
                spans.append((after.start, after.end))
    return spans


def _parameters_defined(tree: t.Node) -> set[tuple[str, str | None]]:
    r"""The parameters of the functions a row defines (``u`` of ``g(u) = u^2 + \sin u``):
    letters whose shape is their argument's, wherever the function is applied."""
    from texgrad.calculus.written import as_application

    out: set[tuple[str, str | None]] = set()
    for node in tree.walk():
        if isinstance(node, t.Chain) and node.relations[:1] in (("=",), (":=",)):
            head = as_application(node.items[0]) if node.items[0] is not None else None
            if isinstance(head, t.Apply):
                out.update(k for k in map(symbol_key, head.args) if k is not None)
    return out


def _line(result: CheckResult, path: str, offset: int) -> str:
    text = result.table.texts.get(path, result.doc.text if path == result.path else "")
    line = text.count("\n", 0, offset) + 1
    if path == result.path:
        return f"line {line}"
    return f"{path.rsplit('/', 1)[-1]}:{line}"


def _why_no_shape(result: CheckResult, node: t.Node) -> str:
    """Why a letter has no shape here: declared only later, declared where it does not hold,
    defined by a formula of unknown shape, or never declared (its use suggesting a size)."""
    key = symbol_key(node)
    assert key is not None
    declared = [d for d in result.table.declarations.get(key[0], []) if d.how != "definition"]
    later = [d for d in declared if d.path == result.path and d.start > node.start]
    if later:
        return f"it is declared only after this use ({_line(result, result.path, later[0].start)})"
    if declared:
        d = declared[0]
        return f"its declaration ({_line(result, d.path, d.start)}) does not hold here"
    for row in _own_rows(result):
        tree = row.tree
        if (
            isinstance(tree, t.Chain) and tree.relations[:1] in (("=",), (":=",))
            and tree.items[0] is not None and symbol_key(tree.items[0]) == key
            and row.start != node.start
        ):  # fmt: skip
            return f"its definition ({_line(result, result.path, row.start)}) has no shape either"
    member = _member_of_unnamed_size(result, node)
    if member is not None:
        return member
    evidence = inferred_use(result, node)
    if evidence is not None:
        return f"it is never declared (its use suggests {evidence[0]})"
    return "it is never declared"


def _family_only(result: CheckResult, node: t.Node) -> tuple[str, str] | None:
    r"""The family a bare letter (``\mathbf{x}``) is declared as only (``\mathbf{x}_t \in
    \mathbb{R}^n``: a subscript that is an index letter), as the document writes it and
    where; None if the letter is declared itself, or no such family is."""
    from texgrad.shapes.families import SUBSCRIPT_LABELS

    key = symbol_key(node)
    if not isinstance(node, t.Symbol) or key is None or key[0] in result.table.declarations:
        return None
    for label in SUBSCRIPT_LABELS:
        for d in result.table.declarations.get(f"{key[0]}_{{{label}}}", []):
            if d.font == key[1] and d.how != "definition":
                text = result.table.texts.get(d.path, "")
                written = text[d.start : d.end].strip()
                return written or f"{key[0]}_{label}", _line(result, d.path, d.start)
    return None


def _member_of_unnamed_size(result: CheckResult, node: t.Node) -> str | None:
    r"""Why a member (``\mH^{(L)}``) of a declared family (``\mH^{(l)} \in \R^{n \times
    d_l}``) has no shape: the size it would have (``d_L``) is named by no declared shape, so
    it may be any other (the number of classes, n)."""
    from texgrad.shapes.dims import dim_text
    from texgrad.shapes.hints import member_family
    from texgrad.shapes.questions import dimension_names
    from texgrad.syntax.symbols import key_text

    base = symbol_key(node.base) if isinstance(node, t.Sub | t.Tagged) else None
    found = member_family(result, node, base[1]) if base is not None else None
    if base is None or found is None:
        return None
    key, shape = found
    names = dimension_names(result.table)
    unnamed = sorted(
        {dim_text(d) for dim in (shape.rows, shape.cols) for d in dim.free_symbols}
        - {dim_text(d) for d in names}
    )
    if not unnamed:
        return None
    sizes = " and ".join(f"`{u}`" for u in unnamed)
    decl = result.table.lookup(key, base[1], result.path, node.start)
    text = result.table.texts.get(decl.path, "") if decl is not None else ""
    family = text[decl.start : decl.end].strip() if decl is not None else ""
    return (
        f"it is the member of the family `{family or key_text(key)}` whose size {sizes} no "
        "declared shape names, so it may be any size"
    )


def _elsewhere(result: CheckResult, node: t.Node, written: str) -> str | None:
    """Where the letter is declared, but not for this use (later, or in a scope that has
    ended): what to do, with the shape that declaration gives."""
    from texgrad.calculus.reasons import space_of

    key = symbol_key(node)
    assert key is not None
    declared = [
        d for d in result.table.declarations.get(key[0], [])
        if d.how != "definition" and d.shape is not None
    ]  # fmt: skip
    if not declared:
        return None
    later = [d for d in declared if d.path == result.path and d.start > node.start]
    d = later[0] if later else declared[0]
    space = f"`{written} \\in {space_of(d.shape)}`"
    if later:
        return f"declare it before this use ({space}, as {_line(result, d.path, d.start)} does)"
    return f"declare it again where it is used, e.g. {space}"


def _declare(result: CheckResult, row: PlacedRow, node: t.Node, written: str) -> str:
    r"""``declare it, e.g. `\Phi \in \mathbb{R}^{n \times m}```: fitted to the letter's use
    where the engine can read the row, else plain."""
    from texgrad.calculus.context import context_at
    from texgrad.calculus.expr import UnknownShape
    from texgrad.calculus.reasons import unknown_shape

    plain = (
        f"declare it, e.g. `{written} \\in \\mathbb{{R}}^{{n}}` or `{written} \\in \\mathbb{{R}}`"
    )
    evidence = inferred_use(result, node)
    if evidence is not None:  # what the checker saw of its use decides
        return f"declare it, e.g. `{written} \\in {evidence[1]}`"
    tree = row.tree
    if tree is None:
        return plain
    try:
        env = context_at(result, row).env
        said = unknown_shape(tree, UnknownShape(node, written), env)
    except Exception:  # noqa: BLE001 - a suggestion is a help, never a failure
        return plain
    _, sep, rest = said.partition(" — ")
    return rest if sep and rest.startswith("declare") else plain


# -- rows stating a function that offers nothing -------------------------------------------


def _iteration(tree: t.Node) -> bool:
    r"""``w_{k+1} = w_k - \eta X^\top(…)``, ``x^{(t+1)} = …x^{(t)}…``: a member of a family set
    from another member of it (an iterate from the one before), which nobody differentiates."""
    if not isinstance(tree, t.Chain) or tree.relations[:1] not in (
        ("=",),
        (":=",),
        ("\\leftarrow",),
    ):
        return False
    head = tree.items[0]
    if not isinstance(head, (t.Sub, t.Power)) or len(tree.items) != 2 or tree.items[1] is None:
        return False
    base = symbol_key(head.base)
    if base is None:
        return False
    return any(
        isinstance(n, (t.Sub, t.Power)) and n is not head and symbol_key(n.base) == base
        for n in tree.items[1].walk()
    )


def _stacked_member(result: CheckResult, tree: t.Node) -> bool:
    """Is ``tree`` a member (or its transpose) that the prose makes a row or a column of a
    matrix declared nowhere (``SymbolTable.stacked``)?"""
    if isinstance(tree, t.Transpose):
        tree = tree.base
    key = symbol_key(tree) if isinstance(tree, (t.Sub, t.Tagged)) else None
    return key is not None and key[0] in result.table.stacked


def refused_rows(result: CheckResult) -> list[Unchecked]:
    """Each row stating a function that offers nothing to differentiate, with the reason
    (the disabled code action's)."""
    from texgrad.calculus.refusals import refusal_at

    out = []
    for row in _own_rows(result):
        if row.tree is None or not _operation(row.tree) or t.writes_derivative(row.tree):
            continue  # (a written derivative is said as a claim)
        if _iteration(row.tree):
            continue  # w_{k+1} = w_k - η∇ℓ(w_k): a step of an algorithm, no function
        if isinstance(row.tree, t.Prime) and isinstance(row.tree.base, (t.Symbol, t.Font)):
            continue  # "which forgets $\sigma'$": a function's derivative named, no function
        if _stacked_member(result, row.tree):
            continue  # "Here $\mathbf p_i^\top$ is the $i$-th row of $P$": a name, no function
        try:
            refusal = refusal_at(result, row.start)
        except Exception:  # noqa: BLE001 - an explanation never fails the check
            continue
        if refusal is None or refusal.row_start != row.start:
            continue
        what = f"`{refusal.head}`" if refusal.head else _quote(result.doc.text[row.start : row.end])
        said = refusal.action.replace("Evaluate", "cannot evaluate", 1) if refusal.action else (
            f"cannot differentiate {what}"
        )  # fmt: skip
        reason = refusal.reason  # (said once: "cannot differentiate `X`: texgrad does not read it")
        message = reason if reason.startswith(f"{said}: ") else f"{said}: {reason}"
        out.append(Unchecked(result.path, row.start, row.end, REFUSED, message))
        if len(out) >= _MAX_EXPLAINED:
            break
    return out


# -- written derivatives left undecided ----------------------------------------------------

_CLAIM_WORDS = (  # (the start of written_derivatives' internal reason, what the user reads)
    ("not one expression", "its right side is not one expression"),
    ("evaluated at a point", "it is evaluated at a point, which texgrad does not check"),
    ("no variable", "texgrad cannot tell what it is differentiated by"),
    ("never reported", "texgrad could check it only with shapes guessed from its letters"),
    ("kind", "it is not a gradient, Jacobian or Hessian texgrad computes"),
    ("zero", "the derivative is zero, which texgrad does not compare"),
    ("guessed", "the document gives not enough shapes to check it"),
    ("differential: no body", "the differential has nothing to differentiate"),
    ("differential: an undefined name", "it differentiates a name the document does not define"),
    (
        "differential: by a name: ",
        "it is written in the differential of a name the document defines, and the function "
        "is not written in that name: ",
    ),
    ("differential", "texgrad cannot tell which variables the differential is taken in"),
    ("written side uses a symbol", "its right side uses a letter the function has not"),
    ("readers disagree", "texgrad reads its right side in two ways that disagree"),
    ("written side not evaluated", "texgrad cannot evaluate its right side"),
    ("differs at too few", "it differs from the derivative at too few points to say it is wrong"),
    ("time budget", "its check ran out of time"),
    ("error", "texgrad cannot evaluate it"),
    ("entry", "texgrad cannot check this entry of the derivative"),
    (
        "mixed second derivative without its orientation",
        "a second derivative by two different variables is checked only as written "
        "∂²f/∂x ∂zᵀ (x down the rows, z across the columns)",
    ),
    ("mixed second derivative", "a second derivative by two different variables is not checked"),
    ("hedged: ", "its sentence hedges it, and it is right "),
    ("said of another function", "its sentence says it is of another function"),
    (
        "upstream: several, read together, no",  # (no simple cause, no fix in its words)
        "it differs from the derivative through the upstream gradients it is written in, "
        "taken together, but not by a slip in them: the loss may hold terms the document "
        "does not write",
    ),
    (
        "upstream: several, read together",
        "it is written in several upstream gradients, and texgrad could not decide it "
        "through them taken together",
    ),
    (
        "upstream: several: ",
        "its right side is written in several upstream gradients, and texgrad takes the loss "
        "through one at a time: ",
    ),
    (
        "upstream: the statement naming",
        "it names the gradient of the loss (a definition, not a result to check)",
    ),
    (
        "upstream: no simple cause",
        "it differs from the derivative through the upstream gradients the document names, "
        "but the loss may hold terms the document does not write",
    ),
)


def claim_reason(why: str, function: str = "", wrt: str = "") -> str:
    """A written derivative left undecided, and why, for the user (``why``: the reason the
    check noted; an engine refusal — "the shape of `\\lambda` is unknown — …" — is already
    in the user's words; ``function``, ``wrt``: what it differentiates and by what, as
    written)."""
    if why.startswith("sum: "):  # a loss summed over samples: the same reasons, summed
        rest = why.removeprefix("sum: ")
        known = any(rest.startswith(start) for start, _ in _CLAIM_WORDS)
        return claim_reason(rest if known else "engine: " + rest, function, wrt)
    said = next((words for start, words in _CLAIM_WORDS if why.startswith(start)), None)
    if said is not None and why.startswith("written side not evaluated: "):
        found = why.removeprefix("written side not evaluated: ")
        # (a place and why, as the check found it; else a letter and why, as explain does)
        said += f" ({found})" if found.startswith("at `") else f": {found}"
    if why.startswith("engine: "):  # the engine's refusal: in the user's words already
        from texgrad.calculus.reasons import why_not

        said = why_not(why.removeprefix("engine: "))  # (of a function never defined: so)
        if "time budget" in said:
            said = "its check ran out of time"
        elif said.startswith("the expression does not involve") and function and wrt:
            said = (  # ∂L/∂V = PᵀG with L a loss the document never writes out
                f"the document gives `{function}` no formula in `{wrt}`, so there is "
                "nothing to check it against"
            )
    if said is not None and why.startswith("hedged: "):  # "… it holds up to sign"
        said += why.removeprefix("hedged: ")
    if said is not None and why.startswith("upstream: several: "):  # (the gradients named)
        said += why.removeprefix("upstream: several: ")
    if said is not None and why.startswith("never reported: ") and ": " in why[16:]:
        said += _declare_letters(why.split(": ", 2)[2].split(", "))  # (the letters never declared)
    if said is not None and why.startswith("differential: by a name: "):
        said += why.removeprefix("differential: by a name: ")
    if said is None:
        said = why if why and why != "unknown" else "texgrad cannot differentiate it"
    return f"this derivative is not checked: {said}"


def _declare_letters(letters: list[str]) -> str:
    """ ": the document never declares `t`; declare it, e.g. `t \\in \\mathbb{R}`" — the letters
    a claim was typed by, each with a declaration its kind of letter fits."""
    examples = []
    used = dict(letter.partition("\t")[::2] for letter in letters)  # (as its use shows)
    letters = list(used)
    for letter in letters:
        if used[letter]:
            examples.append(f"`{letter} \\in {used[letter]}`")
            continue
        base = letter.split("{")[-1].strip("} ").lstrip("\\") if "{" in letter else letter
        bold = letter.startswith(("\\mathbf", "\\bm", "\\boldsymbol", "\\vec"))
        if bold:
            space = "\\mathbb{R}^n"
        elif base[:1].isupper():
            space = "\\mathbb{R}^{n \\times n}"
        else:
            space = "\\mathbb{R}"
        examples.append(f"`{letter} \\in {space}`")
    named = ", ".join(f"`{x}`" for x in letters)
    them = "it" if len(letters) == 1 else "them"
    return f": the document never declares {named}; declare {them}, e.g. " + ", ".join(examples)


# -- why a written side cannot be evaluated ------------------------------------------------


def with_cause(result: CheckResult, start: int, end: int, why: str) -> str:
    r"""``why`` with the cause named where the written side between ``start`` and ``end``
    could not be evaluated and the check found no place: a letter of it that names a
    derivative of a function the document does not define (``\delta^{(l)} = \partial
    \mathcal L / \partial \mathbf z^{(l)}``), one defined by a formula holding a letter
    of no shape (``\mu_i = t_i \exp(…)``), or one of no shape itself."""
    bare = why.removeprefix("sum: ")
    if bare != "written side not evaluated":
        return why
    try:
        cause = _unevaluated_cause(result, start, end)
    except Exception:  # noqa: BLE001 - an explanation never fails the check
        cause = None
    return why if cause is None else f"written side not evaluated: {cause}"


def _unevaluated_cause(result: CheckResult, start: int, end: int) -> str | None:
    row = next(
        (r for r in _own_rows(result)
         if r.tree is not None and r.start <= start and end <= r.end),
        None,
    )  # fmt: skip
    if row is None or row.tree is None:
        return None
    seen: set[str] = set()
    for node in _written_letters(row.tree, start, end):
        written = result.doc.text[node.start : node.end].strip()
        if not written or written in seen:
            continue
        seen.add(written)
        cause = _letter_cause(result, node, written)
        if cause is not None:
            return cause
    return None


def _written_letters(tree: t.Node, start: int, end: int) -> Iterator[t.Node]:
    r"""The letters of ``tree`` between ``start`` and ``end``, outside any derivative, in
    the order written (a member ``\delta^{(l+1)}`` named as a whole)."""
    stack: list[t.Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _DERIVATIVES) or node.end <= start or node.start >= end:
            continue
        if isinstance(node, t.Power) and _shifted_member(node) is not None:
            yield node
        elif symbol_key(node) is not None and not isinstance(node, t.Prime):
            if start <= node.start:
                yield node
        else:
            stack.extend(reversed(list(node.children())))


def _name_of(node: t.Node) -> str | None:
    r"""The letter's name without font, index or label (``\mu`` of ``\boldsymbol\mu``,
    ``\mu_i`` and ``\mu^{(l)}``)."""
    while isinstance(node, t.Sub | t.Tagged | t.Power | t.Font | t.Accent):
        inner = node.body if isinstance(node, t.Font | t.Accent) else node.base
        if inner is None:
            return None
        node = inner
    return node.name if isinstance(node, t.Symbol) else None


def _definitions_of(result: CheckResult, node: t.Node, written: str) -> list[PlacedRow]:
    r"""The rows defining the letter (``written = …``, or a member of its family ``\mu_i =
    …`` of a bold ``\boldsymbol\mu``) before it is used, the one in force first."""
    name = _name_of(node)
    found: list[PlacedRow] = []
    for row in result.rows:
        tree = row.tree
        if not (
            isinstance(tree, t.Chain) and tree.relations[:1] in (("=",), (":=",))
            and tree.items[0] is not None and len(tree.items) == 2
        ):  # fmt: skip
            continue
        if row.path == result.path and row.start >= node.start:
            break
        head = tree.items[0]
        text = result.table.texts.get(row.path, result.doc.text)
        same = _bare(text[head.start : head.end]) == _bare(written)
        family = (
            name is not None and _name_of(head) == name
            and isinstance(head, t.Sub) and not isinstance(node, t.Sub)
        )  # fmt: skip
        if same or family:
            found.insert(0, row)
    return found


def _letter_cause(result: CheckResult, node: t.Node, written: str) -> str | None:
    """Why the letter has no value: what its definitions hold, or that it has no shape."""
    rows = _definitions_of(result, node, written)
    for row in rows:  # (a recursion says nothing of its own: the first definition may)
        assert isinstance(row.tree, t.Chain)
        head, body = row.tree.items
        assert head is not None and body is not None
        text = result.table.texts.get(row.path, result.doc.text)
        where = _line(result, row.path, row.start)
        if isinstance(body, _DERIVATIVES):
            function = getattr(body, "body", None)
            key = symbol_key(function) if function is not None else None
            if key is not None and not _function_defined(result, key[0]):
                shown = text[function.start : function.end].strip()  # type: ignore[union-attr]
                return (
                    f"`{written}` is a derivative of `{shown}` ({where}), which the "
                    "document does not define"
                )
            continue
        for inner in _written_letters(body, body.start, body.end):
            if inner is not node and _no_shape_at(result, inner, row.path):
                shown = " ".join(text[row.start : row.end].split())
                shown = shown if len(shown) <= 50 else shown[:49] + "…"
                return (
                    f"`{written}` is defined by `{shown}` ({where}), in which "
                    f"`{text[inner.start : inner.end].strip()}` has no shape"
                )
    if rows:
        return None
    if _no_shape_at(result, node, result.path) and not _of_declared_family(result, node):
        return f"`{written}` has no shape"
    return None


def _of_declared_family(result: CheckResult, node: t.Node) -> bool:
    r"""Is the letter (``\mathbf y``) the stack of a declared family (``y_i \in …``)?"""
    from texgrad.shapes.families import SUBSCRIPT_LABELS

    name = _name_of(node)
    return name is not None and any(
        f"{name}_{{{label}}}" in result.table.declarations for label in SUBSCRIPT_LABELS
    )


def _function_defined(result: CheckResult, name: str) -> bool:
    table = result.table
    return (
        name in table.function_definitions
        or name in table.signatures
        or any(d.how == "definition" for d in table.declarations.get(name, []))
    )


def _no_shape_at(result: CheckResult, node: t.Node, path: str) -> bool:
    """:func:`_unknown` of a letter written in the file ``path`` of the project."""
    key = symbol_key(node)
    if key is None or key[0] in _CONSTANTS or result.shapes.get(node) is not None:
        return False
    base = node.base if isinstance(node, t.Sub) else node
    if isinstance(base, t.Symbol) and base.name in _IDENTITIES:
        return False
    if key[0] in result.table.function_definitions or key[0] in result.table.signatures:
        return False  # K(\theta) of "$K(\theta) = \|\theta\|^2$": the document's function
    return result.table.lookup(key[0], key[1], path, node.start) is None


# -- derivatives written otherwise than as `derivative = expression` -------------------------

_DERIVATIVES = (t.Derivative, t.Nabla, t.Partial, t.Differential)
_NOT_EQUATIONS = {  # relations a derivative may be written in, that texgrad does not check
    "\\le": "bounds", "\\leq": "bounds", "\\ge": "bounds", "\\geq": "bounds", "<": "bounds",
    ">": "bounds", "\\approx": "approximates", "\\leftarrow": "assigns", "\\gets": "assigns",
    "\\succ": "compares", "\\succeq": "compares", "\\prec": "compares", "\\preceq": "compares",
    "\\propto": "relates", "\\sim": "relates",
}  # fmt: skip
_INSIDE = "texgrad checks a derivative written alone on one side of an equation"


def unclaimed_derivatives(
    result: CheckResult, said: list[Unchecked], rows: list[PlacedRow] | None = None
) -> list[Unchecked]:
    r"""Each row that writes a derivative (``\nabla``, ``\partial``, ``\frac{\partial}{…}``,
    ``\mathrm d``) texgrad neither checks (a claim ``derivative = expression``) nor answers
    (a request), nor says anything else about (``said``, the diagnostics), with why: it
    names the derivative (``G = \partial L / \partial O``), uses it inside a formula (a
    Newton step), relates it otherwise than by ``=`` (``\le``, ``\leftarrow``), states its
    size, or sets it to zero (a condition).  ``rows``: those to look at (else all)."""
    from texgrad.calculus.requests import request_in
    from texgrad.calculus.written_derivatives import written_derivatives

    writing = [
        (r, _derivative_nodes(r.tree))
        for r in (_own_rows(result) if rows is None else rows)
        if r.tree is not None
    ]
    writing = [(r, found) for r, found in writing if found]
    if not writing:
        return []
    claimed = {c.row.start for c in written_derivatives(result)}
    covered = [(u.start, u.end) for u in said]
    covered += [(d.start, d.end) for d in result.diagnostics if d.path == result.path]
    text = result.doc.text
    out = []
    for row, found in writing:
        assert row.tree is not None
        if row.start in claimed or request_in(row.tree) is not None:
            continue
        if any(a < row.end and row.start < b for a, b in covered):
            continue
        shown = _quote(text[found[0].start : found[0].end]) or "the derivative"
        why = _not_a_claim(row.tree, found[0], shown, text)
        out.append(Unchecked(result.path, row.start, row.end, CLAIM,
                             f"this derivative is not checked: {why}"))  # fmt: skip
        if len(out) >= _MAX_EXPLAINED:
            break
    return out


def _derivative_nodes(tree: t.Node) -> list[t.Node]:
    """The outermost derivatives a row writes (not the bare ``d`` of ``dk`` or ``ds``)."""
    found: list[t.Node] = []
    measures = [id(n) for n in t.integral_measures(tree)]  # (dt of \int … dt: no derivative)
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _DERIVATIVES) and id(node) not in measures:
            found.append(node)
            continue
        stack.extend(reversed(list(node.children())))
    return found


def _evaluation_point(side: t.Node | None, text: str) -> str | None:
    r"""```w = w_k``` of ``\left. … \right|_{w = w_k}``, as written; else None."""
    if not isinstance(side, t.Sub) or not isinstance(side.base, t.Delimited):
        return None
    if not side.base.close.endswith("|"):
        return None
    return _quote(text[side.index.start : side.index.end]) or "a point"


def _not_a_claim(tree: t.Node, derivative: t.Node, shown: str, text: str = "") -> str:
    """Why a row writing ``derivative`` is no ``derivative = expression`` texgrad checks."""
    if not isinstance(tree, t.Chain):
        return f"{shown} is used inside a formula; {_INSIDE}"
    other = next((r for r in tree.relations if r not in ("=", "\\in")), None)
    if other is not None:
        verb = _NOT_EQUATIONS.get(other, "relates")
        return f"the row {verb} {shown} by `{other}`; texgrad checks equations (`=`) only"
    if "=" not in tree.relations:
        return f"the row states the size of {shown}, not its value"
    items = [i for i in tree.items if i is not None and not isinstance(i, t.Space)]
    side = next((i for i in items if i.start <= derivative.start and derivative.end <= i.end), None)
    at = _evaluation_point(side, text)
    if at is not None:  # \left.\nabla \ell(w)\right|_{w = w_k}
        return f"{shown} is evaluated at {at}, which texgrad does not check (it checks the derivative as a function)"
    if side is None or (side.start, side.end) != (derivative.start, derivative.end):
        return f"{shown} is used inside a formula; {_INSIDE}"
    rest = [i for i in items if i is not side]
    if rest and all(symbol_key(i) is not None for i in rest):
        return f"the row names {shown} (a definition, not a result to check)"
    if rest and all(_zero(i) for i in rest):
        return f"the row sets {shown} to zero: a condition (an optimum), not an identity to check"
    inside = [n for i in rest for n in i.walk()]
    if any(isinstance(n, _DERIVATIVES) for n in inside):
        return (
            "its other side holds derivatives too (a step of the chain rule); texgrad checks "
            "a derivative against a formula without derivatives"
        )
    if any(isinstance(n, t.Text | t.List | t.Sequence) for n in inside):
        return "its other side holds words or a list, not one formula"
    return "texgrad does not read its other side as a formula of what is differentiated"


def _zero(node: t.Node) -> bool:
    r"""``0``, ``\mathbf{0}``, ``\mathbf 0^\top``."""
    if isinstance(node, t.Transpose):
        node = node.base
    if isinstance(node, t.Font) and node.body is not None:
        node = node.body
    if isinstance(node, t.Symbol):
        return node.name == "0"
    return isinstance(node, t.Number) and node.text.strip("0.") == ""


def _quote(source: str, limit: int = 50) -> str:
    one = " ".join(source.split())
    if not one:
        return ""
    one = one if len(one) <= limit else one[: limit - 1] + "…"
    tick = "``" if "`" in one else "`"
    return f"{tick}{one}{tick}"


# -- at a place (the editor's hover) -------------------------------------------------------


def letter_reason(result: CheckResult, node: t.Node) -> str | None:
    """Why the letter ``node`` has no shape here, and what to declare (the hover's line);
    None where it has one, or is not a letter of unknown shape."""
    if symbol_key(node) is None or not _unknown(result, node):
        return None
    row = next((r for r in _own_rows(result) if r.start <= node.start and node.end <= r.end), None)
    if row is None:
        return None
    written = result.doc.text[node.start : node.end].strip()
    what = _not_a_quantity(result, row, node) or _a_function_name(result, row, node, written)
    walked = row.tree.walk() if row.tree is not None else ()
    entry = next((n for n in walked if isinstance(n, t.Sub) and n.base is node), None)
    if what is None and entry is not None:  # \mathcal T of \mathcal T_{ijk}: a tensor's letter
        what = _not_a_quantity(result, row, entry)
    if what is not None:
        return f"`{written}` has no shape: {what}"
    said = _elsewhere(result, node, written) or _declare(result, row, node, written)
    return f"`{written}` has no shape: {_why_no_shape(result, node)}; {said}"


def _a_function_name(result: CheckResult, row: PlacedRow, node: t.Node, written: str) -> str | None:
    r"""What a letter written right before a parenthesis is, where it names a function and
    "declare it" would be wrong advice: the function the row defines (``R`` of ``R(W) =
    …``), or one the document uses without defining (``g`` of ``(g(\mathbf w) - t)^2``,
    lower case: ``A(x + y)`` is a product); None otherwise."""
    from texgrad.calculus.reasons import is_capital

    text = result.doc.text
    after = text[node.end : node.end + 6]
    if not (after.startswith("(") or after.startswith("\\left(")):
        return None
    tree = row.tree
    if isinstance(tree, t.Chain) and tree.relations[:1] in (("=",), (":=",)):
        head = tree.items[0]
        if head is not None and head.start == node.start and _head(head):
            return f"it names the function this row defines ({_quote(text[head.start : head.end])})"
    key = symbol_key(node)
    if key is None or is_capital(key[0]) or key[0] in result.table.declarations:
        return None
    return (
        f"it is used as a function the document does not define — define it (`{written}(x) = …`)"
        " to differentiate through it"
    )


def unclaimed_at(result: CheckResult, offset: int) -> Unchecked | None:
    """The row at ``offset`` if it writes a derivative texgrad does not check, with why
    (the hover's text; see :func:`unclaimed_derivatives`)."""
    rows = [r for r in _own_rows(result) if r.start <= offset <= r.end]
    found = unclaimed_derivatives(result, [], rows) if rows else []
    return found[0] if found else None


def unread_at(result: CheckResult, offset: int) -> Unchecked | None:
    """The row at ``offset`` if it does not parse, with why (the hover's text)."""
    for row in _own_rows(result):
        if row.start <= offset <= row.end and not row.parsed:
            shown = unread_rows(result, [row])
            return shown[0] if shown else None
    return None
