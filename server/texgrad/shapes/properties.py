r"""What the text states about a matrix besides its shape: symmetric, positive definite.

"$K \in \mathbb{R}^{n\times n}$, with $K_{ij} = k(x_i, x_j)$, is symmetric positive definite",
"Let $A$ be symmetric", "with $\Sigma$ symmetric", "a symmetric matrix $S$", "$\Sigma \succ 0$",
"$A = A^\top$". The calculus engine then samples the matrix so and may use Aᵀ = A, as for
``\mathbb{S}^n`` and ``\mathbb{S}^n_{++}``. A supposition ("If $A$ is symmetric, then …",
"for any symmetric $A$") states nothing beyond its sentence, so it holds only there (`until`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, fields, replace

from texgrad.casefold import folded, folded_pattern
from texgrad.shapes import language_cues
from texgrad.shapes.primes import transposes_with_primes
from texgrad.shapes.prose import plain_dollars
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

_M = r"\$\$?(?P<{}>[^$]{{1,120}})\$\$?"
_PROPERTY = (
    r"(?P<prop>symmetric(?:,?\s+(?:and\s+)?positive(?:-|\s+)(?:semi-?)?definite)?"
    r"|positive(?:-|\s+)(?:semi-?)?definite|SPD|s\.p\.d\.|diagonal)"
)
_PATTERNS = [
    # "$K$ is symmetric", "Let $A$ be symmetric positive definite", "$K \in …$, with …, is SPD"
    re.compile(
        _M.format("sym") + r"(?:\s*,[^.;$]{0,40}(?:" + _M.format("aside") + r"[^.;$]{0,20})?,)?"
        r"\s+(?:is|be|are)\s+(?:(?:also|always|a|an|the|real|square)\s+)*" + _PROPERTY
    ),
    # "a covariance $\Sigma \in \mathbb{R}^{d \times d}$, symmetric positive definite", "… (SPD)",
    # and without the comma: "$\Sigma \in \mathbb{R}^{n \times n}$ symmetric positive definite";
    # "its precision $\Lambda \in …$, also symmetric positive definite"
    re.compile(
        _M.format("sym")
        + r"\s*(?:,|\(|(?=\s))\s*(?:both\s+|real\s+|also\s+)?"
        + _PROPERTY
        + r"(?![\w-]|\s+part)"
    ),
    # "Let $K$ be the covariance matrix of the latent values, symmetric positive definite"
    re.compile(
        _M.format("sym")
        + r"\s+(?:is|be)\s+(?:the|a|an)\s+[^.;:$]{1,80}?,\s*(?:and\s+)?"
        + _PROPERTY
        + r"(?![\w-]|\s+part)"
    ),
    # "$K \in …$ is the Gram matrix, $K_{ij} = k(x_i, x_j)$, which is symmetric positive
    # semi-definite": a relative clause after the matrix's role (and an aside of its entries)
    re.compile(
        _M.format("sym")
        + r"\s+(?:is|be)\s+(?:the|a|an)\s+[^.;:$]{1,80}?,\s*(?:"
        + _M.format("aside")
        + r"\s*,\s*)?"
        + r"which\s+is\s+(?:also\s+|real\s+)*"
        + _PROPERTY
        + r"(?![\w-]|\s+part)"
    ),
    # "with $\Sigma$ symmetric", "where $P$ is symmetric positive definite"
    re.compile(r"\b(?:[Ww]ith|[Ww]here)\s+" + _M.format("sym") + r"\s+(?:is\s+)?" + _PROPERTY),
    # "a symmetric positive definite matrix $S$", "the symmetric matrix $A$", and without the
    # word matrix where a noun says it: "the symmetric covariance $S$", "a symmetric cost $C$",
    # "a diagonal matrix of positive weights $W$" (a diagonal matrix is symmetric)
    re.compile(
        r"\b(?:a|an|the)\s+(?:(?:known|fixed|given)\s+)?"  # "a known symmetric … covariance $\Gamma$"
        + _PROPERTY
        + r"(?:\s+(?:real|square|covariance|kernel|precision|Gram|weight|cost|scatter|Hessian))*"
        r"(?:\s+matrix(?:\s+of\s+(?:positive\s+|non-?negative\s+)?[a-z]+)?)?\s+" + _M.format("sym")
    ),
    # a noun of the matrix's role before the word matrix, or for it: "a symmetric penalty
    # matrix $K$", "a symmetric weighting $D$" (not a part, block or entry of one)
    re.compile(
        r"\b(?:a|an|the)\s+"
        + _PROPERTY
        + r"\s+(?!(?:part|parts|block|blocks|entry|entries|element|elements|difference|group|"
        r"and|or|of|to|with|in|on|for|is|are|matrix)\b)[a-z]{3,20}(?:\s+matrix)?\s+"
        + _M.format("sym")
    ),
]
_PATTERNS += [
    # two matrices at once: "$A$ and $B$ are symmetric", "let $A, B$ … be" is one span; "$A \in
    # …$ and $B \in …$, both symmetric positive definite"
    re.compile(
        _M.format("sym") + r"\s*(?:,|,?\s*and)\s+" + _M.format("sym2")
        + r",?\s+(?:(?:are|be)\s+(?:both\s+|also\s+|real\s+|square\s+)*|,?\s*both\s+)" + _PROPERTY
        + r"(?![\w-]|\s+part)"
    ),
    # two matrices after a plural noun: "the symmetric factors $A$ and $G$", "two symmetric
    # positive definite matrices $S$ and $T$" (not parts, blocks or entries of them)
    re.compile(
        r"\b(?:the|two|its|their|with)\s+" + _PROPERTY
        + r"\s+(?!(?:parts|blocks|entries|elements|differences|groups)\b)[a-z]{2,20}s\s+"
        + _M.format("sym") + r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)" + _M.format("sym2")
    ),
    # one adjective before two matrices: "with symmetric $L \in …$ and $R \in …$" (the second
    # a capital, a matrix: not "with symmetric $A$ and $x \in …$", a vector beside it)
    re.compile(
        r"\b(?:[Ww]ith|[Gg]iven)\s+(?:two\s+)?" + _PROPERTY + r"\s+" + _M.format("sym")
        + r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)\$\$?(?P<sym2>(?=\\?[A-Z])[^$]{1,120})\$\$?"
    ),
    # each named with its role, then the property said of the two: "Let $M \in …$ be the
    # predicted covariance and $R \in …$ the covariance of the noise; both are symmetric"
    re.compile(
        _M.format("sym") + r"[^$.;]{0,80}?\s+and\s+(?:[a-z]+\s+){0,3}" + _M.format("sym2")
        + r"[^$.;]{0,80}?[;,]\s*(?:and\s+)?both\s+(?:are\s+)?(?:also\s+|real\s+)*" + _PROPERTY
        + r"(?![\w-]|\s+part)"
    ),
]  # fmt: skip
_SUPPOSING = re.compile(
    r"\b(?:[Ii]f|[Ww]hen(?:ever)?|[Ss]uppos(?:e|ing)|[Aa]ssum(?:e|ing)|"
    r"(?<![Ww]e )(?<!I )(?<!is )(?<!are )(?<!was )(?<!were )(?<!been )(?<!be )(?<!have )(?<!has )"
    r"(?<!had )[Aa]ssumed|[Ii]n case|[Uu]nless|"
    r"[Ff]or\s+(?:any|all|every|each|arbitrary))\b"
)
# a condition a claim needs, not a statement: "only right for a symmetric $A$", "this needs
# $A$ symmetric", "unless $X$ is symmetric" (the text says A may well not be)
# … or an assumption the prose says a formula makes without saying so ("$2Q\mathbf x$, which
# silently assumes $Q = Q^\top$"; not "we implicitly assume": the author's own statement)
UNSTATED_WORDS = (
    r"(?<!\bwe\s)(?<!\bI\s)\b(?:silently|tacitly|implicitly|quietly|secretly|covertly)\s+"
    r"(?:assumes|assumed|presupposes|presupposed|requires|required|needs|needed|treats|treated)\b"
)
UNSTATED = re.compile(UNSTATED_WORDS + r"[^.;!?$]{0,40}$", re.I)
HEDGING = re.compile(
    r"(?:\b(?:only|unless|needs?|requires?|would|except)\b|" + UNSTATED_WORDS + r")[^.;$]{0,40}$",
    re.I,
)
# a denial just before the matrix: "neither $A$ nor $X$ symmetric", "not $X$ symmetric"
_DENIED = re.compile(r"\b(?:[Nn]either|[Nn]or|[Nn]ot)\s+$")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n\s*\n")
_SENTENCE_GOES_ON = re.compile(  # a blank line before a display does not end the sentence
    r"[.!?](?:\s|$)|\n\s*\n(?!\s*(?:\$\$|\\\[|\\begin\{|```\{math\}))"
)


@dataclass(frozen=True)
class Stated:
    key: str
    start: int  # where the text says it
    symmetric: bool
    positive_definite: bool
    until: int = -1  # a supposition ("If $P$ is symmetric, then …") holds to its sentence's end
    path: str | None = None  # said in another file of the project (None: this document)


def _row_at(rows: list[PlacedRow], starts: list[int], offset: int) -> PlacedRow | None:
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and rows[i].start <= offset <= rows[i].end:
        return rows[i]
    return None


def _subject(node: t.Node | None) -> t.Node | None:
    """The symbol a math span names: ``K`` of ``K``, of ``K \\in …`` or of ``K = …``."""
    if isinstance(node, t.Chain) and node.items and node.items[0] is not None:
        return node.items[0]
    return node


def _sentence_start(text: str, at: int) -> int:
    lo = max(0, at - 300)
    last = lo
    for m in _SENTENCE_END.finditer(text, lo, at):
        last = m.end()
    return last


def _sentence_end(text: str, at: int) -> int:
    """Where the sentence going on at ``at`` ends (a display inside it included)."""
    m = _SENTENCE_GOES_ON.search(text, at)
    return m.start() if m is not None else len(text)


def stated_properties(text: str, rows: list[PlacedRow]) -> list[Stated]:
    """Every property the prose of ``text`` states, and what its rows say (``A = A^\\top``,
    ``\\Sigma \\succ 0``)."""
    out: list[Stated] = []
    starts = [r.start for r in rows]
    # "Let \(S\) be symmetric", "$`S`$ is symmetric": read as $S$, at the same offsets
    text = plain_dollars(text)
    if "covariance" in text:
        out.extend(_covariances(text, rows, starts))
    if any(w in text for w in ("symmetric", "definite", "SPD", "s.p.d.", "diagonal")):
        for pattern in _PATTERNS:
            for m in pattern.finditer(text):
                until = -1
                opens = m.start("sym")
                while opens > 0 and text[opens - 1] == "$":
                    opens -= 1
                if HEDGING.search(text, max(0, m.start() - 40), opens):
                    continue  # "only right for a symmetric $A$": a condition, not a statement
                if _DENIED.search(text, max(0, opens - 30), opens):
                    continue  # "(neither $A$ nor $X$ symmetric unless said)": denied
                if _SUPPOSING.search(text, _sentence_start(text, m.start()), m.start("sym")):
                    until = _sentence_end(text, m.end())
                prop = m["prop"].lower()
                pd = "definite" in prop and "semi" not in prop or prop in ("spd", "s.p.d.")
                for group in ("sym", "sym2") if "sym2" in pattern.groupindex else ("sym",):
                    row = _row_at(rows, starts, m.start(group))
                    sym = _subject(row.tree_as_parsed) if row is not None else None
                    # "$S_B, S_W \in \mathbb{R}^{p \times p}$ be symmetric": each of the list
                    for one in sym.items if isinstance(sym, t.List) else (sym,):
                        key = symbol_key(one) if one is not None else None
                        if key is not None:
                            out.append(Stated(key[0], m.start(group), True, pd, until))
        out.extend(_both(text, rows, starts))
    out.extend(_said_in_other_languages(text, rows, starts))
    _said_by_rows(text, rows, out)
    return out


def _said_by_rows(text: str, rows: list[PlacedRow], out: list[Stated]) -> None:
    """Add to ``out`` what the rows state (``A = A^\\top``, a Gram form)."""
    primes = None  # (whether the document transposes with primes: read once, where needed)
    for row in rows:
        before = text[max(0, row.start - 40) : row.start].rstrip("$( ") + " "
        named = {s.key for s in out if s.symmetric and s.until < 0}  # (S_W = (n-K)\hat\Sigma)
        primed = "'" in text[row.start : row.end]
        if primes is None and primed:
            primes = transposes_with_primes(text)
        stated = _stated_by_row(row, before, named, bool(primes) and primed)
        if stated and HEDGING.search(before):
            continue  # "… holds only if $A = A^\\top$": a condition, not a statement
        if stated and (_IF.search(before) or language_cues.supposes(before)):
            # "if $A = A^\\top$", "若 $A = A^\\top$": in its sentence only
            stated = [replace(s, until=_sentence_end(text, row.end)) for s in stated]
        out.extend(stated)


# a covariance matrix is symmetric: "let $\Sigma \in …$ be the covariance matrix", "the
# covariance $\Sigma$", "$\Sigma$, the sample covariance" — not a cross-covariance, nor "the
# covariance between $x$ and $y$" (of two vectors: not square, or not symmetric)
_KIND = (
    r"(?:(?:sample|empirical|posterior|prior|predicted|predictive|noise|data|true|population|"
    r"model|full|class|within-class|pooled|latent|observation|process|state|estimated|"
    r"unknown|common|shared|its|their)\s+){0,2}"
)
_COVARIANCE = r"(?<![\w-])covariance(?:\s+matrix)?(?![\w-])(?!\s+(?:matrix\s+)?between)"
_COVARIANCE_PATTERNS = [
    re.compile(
        _M.format("sym") + r"\s*,?\s+(?:(?:is|be|denotes)\s+)?(?:the|a|an|its|their)\s+"
        + _KIND + _COVARIANCE
    ),
    re.compile(r"\b(?:[Tt]he|[Aa]|[Aa]n|[Ii]ts|[Tt]heir)\s+" + _KIND + _COVARIANCE + r"\s+"
               + _M.format("sym")),
]  # fmt: skip


def _covariances(text: str, rows: list[PlacedRow], starts: list[int]) -> list[Stated]:
    """The matrices the prose calls a covariance, as stated symmetric (a supposition, "if
    $C$ is the covariance", for its sentence only)."""
    out: list[Stated] = []
    for pattern in _COVARIANCE_PATTERNS:
        for m in pattern.finditer(text):
            if HEDGING.search(text, max(0, m.start() - 40), m.start("sym")):
                continue
            until = -1
            if _SUPPOSING.search(text, _sentence_start(text, m.start()), m.start("sym")):
                until = _sentence_end(text, m.end())
            row = _row_at(rows, starts, m.start("sym"))
            sym = _subject(row.tree_as_parsed) if row is not None else None
            key = symbol_key(sym) if sym is not None and not isinstance(sym, t.List) else None
            if key is not None:
                out.append(Stated(key[0], m.start("sym"), True, False, until))
    return out


def _said_in_other_languages(text: str, rows: list[PlacedRow], starts: list[int]) -> list[Stated]:
    """What the prose says is symmetric in another language ("设 $A$ 为对称矩阵", "Sei $A$
    symmetrisch", "Soit $A$ une matrice symétrique"); a supposition or a condition ("若
    $A$ 对称", "wenn $A$ symmetrisch ist") for its sentence only."""
    out: list[Stated] = []
    folded_text = folded(text)
    for _, at, definite, supposed in language_cues.symmetric_statements(folded_text):
        row = _row_at(rows, starts, at)
        sym = _subject(row.tree_as_parsed) if row is not None else None
        until = language_cues.sentence_end(folded_text, at) if supposed else -1
        for one in sym.items if isinstance(sym, t.List) else (sym,):
            key = symbol_key(one) if one is not None else None
            if key is not None:
                out.append(Stated(key[0], at, True, definite, until))
    return out


# "$M \in …$ the mass matrix and $K \in …$ the stiffness matrix; both are symmetric
# positive definite": the last two matrices named in the sentence
_BOTH = re.compile(r"[,;]\s*(?:and\s+)?both\s+(?:are\s+)?(?:also\s+)?" + _PROPERTY + r"(?![\w-])")
_SPAN = re.compile(r"\$\$?[^$]{1,120}\$\$?")


def _both(text: str, rows: list[PlacedRow], starts: list[int]) -> list[Stated]:
    out: list[Stated] = []
    for m in _BOTH.finditer(text):
        begin = _sentence_start(text, m.start())
        if _SUPPOSING.search(text, begin, m.start()) or HEDGING.search(
            text, max(0, m.start() - 40), m.start()
        ):
            continue
        named: list[tuple[str, int]] = []
        for span in _SPAN.finditer(text, begin, m.start()):
            row = _row_at(rows, starts, span.start() + 1)
            sym = _subject(row.tree_as_parsed) if row is not None else None
            key = symbol_key(sym) if sym is not None else None
            if key is not None:
                named.append((key[0], span.start()))
        if len(named) < 2:
            continue
        prop = m["prop"].lower()
        pd = "definite" in prop and "semi" not in prop or prop in ("spd", "s.p.d.")
        out.extend(Stated(key, at, True, pd) for key, at in named[-2:])
    return out


_IF = re.compile(r"\b(?:if|when|whenever|provided|assuming|suppose)\b[^.;$]{0,40}$", re.I)


def _stated_by_row(
    row: PlacedRow,
    before: str = "",
    named: frozenset[str] | set[str] = frozenset(),
    primes: bool = False,
) -> list[Stated]:
    """What a row states (``\\Sigma \\succ 0``, ``A = A^\\top``, a Gram form); ``before``:
    the prose just before it; ``named``: the letters stated symmetric before it; ``primes``:
    the document transposes with primes (``C = Z'Z`` is a Gram form)."""
    tree = row.tree_as_parsed  # (its structure only: a row an edit moved is not moved)
    if not isinstance(tree, t.Chain) or len(tree.items) < 2 or None in tree.items[:2]:
        return []
    if len(tree.items) > 2 and (tree.relations[0] != "=" or set(tree.relations[1:]) != {"\\in"}):
        return []  # (but "$M = X^\top X \in \mathbb{R}^{k \times k}$": its form, then its set)
    left, right = tree.items[:2]
    if primes and right is not None:
        right = _primes_as_transposes(right)
    rel = tree.relations[0]
    key = symbol_key(left) if left is not None else None
    if key is None:
        return []
    if rel in ("\\succ", "\\succeq") and isinstance(right, t.Number) and right.text == "0":
        return [Stated(key[0], row.start, True, rel == "\\succ")]
    if rel == "=" and isinstance(right, t.Transpose) and symbol_key(right.base) == key:
        return [Stated(key[0], row.start, True, False)]
    if (
        rel == "="
        and right is not None
        and symmetric_by_form(right, named)
        and not _SUBSTITUTED.search(before)
    ):
        return [Stated(key[0], row.start, True, False)]  # ``S = \frac1n X^\top X``
    return []


# "Taking $A = X^\top X$ in the first identity": a case of a general A, not what A is
_SUBSTITUTED = re.compile(
    r"\b(?:tak(?:e|es|ing)|sett?(?:s|ing)?|put(?:s|ting)?|choos(?:e|es|ing)|chose|"
    r"substitut\w*|plug\w*|replac\w*|e\.g\.|say|instance|example|such as|like|case)\b"
    r"[^.;$]{0,40}$",
    re.I,
)


def _primes_as_transposes(node: t.Node) -> t.Node:
    """``node`` with each letter's single prime read as its transpose (``Z'Z``)."""
    by: dict[int, t.Node] = {
        id(n): t.Transpose(n.base, "'", start=n.start, end=n.end)
        for n in node.walk()
        if isinstance(n, t.Prime) and n.count == 1 and symbol_key(n.base) is not None
    }
    return t.replaced(node, by) if by else node


def symmetric_by_form(node: t.Node, named: frozenset[str] | set[str] = frozenset()) -> bool:
    r"""Whether ``node`` is symmetric by its form (a Gram form, ``\Sigma^{-1}`` of a letter
    of ``named``): :func:`_symmetric_by_form`, for the calculus layer."""
    return _symmetric_by_form(node, named)


def _symmetric_by_form(node: t.Node, named: frozenset[str] | set[str] = frozenset()) -> bool:
    r"""Whether ``node`` is symmetric whatever its letters are: a Gram or scatter form
    (``X^\top X``, ``\frac1n X X^\top``, ``B^\top B + \lambda I``,
    ``\sum_i (x_i - \mu)(x_i - \mu)^\top``, ``A + A^\top``), so that a matrix the document
    defines so is symmetric ("$S = \frac1n X^\top X$" is the sample covariance); a letter of
    ``named`` (stated symmetric before) is, and so is a multiple of one (``(n-K)\hat\Sigma``)."""
    key = symbol_key(node)
    if key is not None and key[0] in named:
        return True
    if _diagonal_written(node):
        return True  # W = \operatorname{diag}(w_1, \dots, w_n)
    if isinstance(node, t.Paren) and node.open == "(" and node.body is not None:
        return symmetric_by_form(node.body, named)
    if isinstance(node, t.BigOp) and node.op == "\\sum" and node.body is not None:
        return symmetric_by_form(node.body, named)
    if isinstance(node, t.Add):
        terms = list(node.terms)
        if len(terms) == 2 and _same(_transposed(terms[0]), terms[1]) and _gram_factor(terms[0]):
            return True  # A + A^\top
        return all(symmetric_by_form(x, named) or _identity(x) for x in terms) and any(
            symmetric_by_form(x, named) for x in terms
        )
    if isinstance(node, t.Product):
        factors = list(node.factors)
        while factors and _scalar_coefficient(factors[0]):
            factors.pop(0)  # \frac1n, 2
        if len(factors) >= 3 and len(factors) % 2 and _count_letter(factors[0]):
            # the n_k of \sum_k n_k (\mu_k - \mu)(\mu_k - \mu)^\top: a weight (not the x_i of
            # x_i x_i^\top, a pair of its own)
            factors.pop(0)
        if len(factors) == 1:
            return symmetric_by_form(factors[0], named)  # \frac1n \sum_i x_i x_i^\top
        if len(factors) < 2 or len(factors) % 2 or not all(map(_gram_factor, factors)):
            return False
        half = len(factors) // 2
        return all(
            _same(_transposed(a), b)
            for a, b in zip(factors[:half], reversed(factors[half:]), strict=True)
        )
    if isinstance(node, t.Frac) and _a_count(node.den):
        return _symmetric_by_form(node.num, named)  # \frac{X^\top X}{n}
    if isinstance(node, t.Power) and _whole_power(node.exponent):
        # an inverse or integer power of a symmetric matrix is symmetric: the precision
        # "$P = \Sigma^{-1}$" of a covariance stated symmetric, "$(X^\top X)^{-1}$"
        return _symmetric_by_form(node.base, named)
    return False


def _whole_power(node: t.Node) -> bool:
    """``2``, ``-1``, ``-2``: an integer exponent (not ``1/2``, ``\top``, ``k``)."""
    if isinstance(node, t.Neg) and node.sign == "-":
        node = node.operand
    return isinstance(node, t.Number) and node.text.isdigit()


def _diagonal_written(body: t.Node) -> bool:
    r"""``\operatorname{diag}(\mathbf w)``, ``\operatorname{diag}(w_1, \dots, w_n)``: of one
    argument, or of plain letters, numbers and dots (numbers: a matrix's block would be a
    capital) — a diagonal matrix where the value is square, so symmetric (a block diagonal
    of matrices, ``\operatorname{diag}(A, B)``, is not, unless its blocks are)."""
    if not (
        isinstance(body, t.Apply) and isinstance(body.func, t.Func)
        and body.func.name in ("diag", "Diag") and body.func.sub is None
        and body.func.sup is None and body.args
    ):  # fmt: skip
        return False
    if len(body.args) == 1:
        return True
    for arg in body.args:
        base = arg.base if isinstance(arg, t.Sub) else arg
        if isinstance(base, (t.Dots, t.Number)):
            continue
        if not (
            isinstance(base, t.Symbol) and base.font is None and not base.accents
            and base.name.isalpha() and base.name.islower()
        ):  # fmt: skip
            return False
    return True


def _scalar_coefficient(node: t.Node) -> bool:
    if isinstance(node, t.Number):
        return True
    if isinstance(node, t.Paren) and node.open == "(" and node.body is not None:
        letters = [x for x in node.body.walk() if isinstance(x, t.Symbol)]
        return (  # (n - K): a count; not (A - B)
            _a_count(node.body) and bool(letters) and all(x.font is None for x in letters)
            and any(isinstance(x, t.Number) or (isinstance(x, t.Symbol) and x.name.islower())
                    for x in node.body.walk())
        )  # fmt: skip
    if isinstance(node, t.Frac):  # \frac1n, \frac{1}{N-1}: a number over a count
        return isinstance(node.num, t.Number) and _a_count(node.den)
    return False


def _count_letter(node: t.Node) -> bool:
    """A plain lower-case Latin letter, alone or with a subscript (``n_k``, ``w_i``): a number
    where it weighs a Gram form (a vector would be bold, a matrix a capital)."""
    base = node.base if isinstance(node, t.Sub) else node
    return (
        isinstance(base, t.Symbol) and base.font is None and not base.accents
        and len(base.name) == 1 and base.name.isalpha() and base.name.islower()
    )  # fmt: skip


def _a_count(node: t.Node) -> bool:
    """A denominator that is a count (``n``, ``N - 1``, ``2``), not a matrix expression."""
    return not any(isinstance(x, (t.Transpose, t.Product, t.Paren)) for x in node.walk())


def _identity(node: t.Node) -> bool:
    r"""``\lambda I``, ``I``, ``\sigma^2 I_n``: a multiple of the identity (symmetric)."""
    factors = list(node.factors) if isinstance(node, t.Product) else [node]
    last = factors[-1]
    if isinstance(last, t.Sub):
        last = last.base
    if isinstance(last, t.Font):
        last = last.body
    return isinstance(last, t.Symbol) and last.name == "I" and len(factors) <= 3


def _gram_factor(node: t.Node) -> bool:
    r"""A factor a Gram form is made of: a letter, a transposed one, a bracketed difference
    (transposed by a prime too: ``(\mu_k - \bar\mu)(\mu_k - \bar\mu)'``)."""
    base = node.base if isinstance(node, t.Transpose) and not node.conjugate else node
    if isinstance(base, t.Prime) and base.count == 1 and isinstance(base.base, t.Paren):
        base = base.base
    return symbol_key(base) is not None or isinstance(base, t.Paren) and base.open == "("


def _transposed(node: t.Node) -> t.Node:
    if isinstance(node, t.Transpose) and not node.conjugate:
        return node.base
    if isinstance(node, t.Prime) and node.count == 1 and isinstance(node.base, t.Paren):
        return node.base  # (a bracket's prime: its transpose, as _form reads it)
    return t.Transpose(node, "\\top")


def _same(a: t.Node, b: t.Node) -> bool:
    """The same expression, wherever each is written (positions and marks aside)."""
    return _form(a) == _form(b)


def _form(node: t.Node) -> object:
    if isinstance(node, t.Transpose):
        return ("T", _form(node.base), node.conjugate)
    if isinstance(node, t.Prime) and node.count == 1 and isinstance(node.base, t.Paren):
        return ("T", _form(node.base), False)  # (a bracket's prime: its transpose)
    key = symbol_key(node)
    if key is not None:
        return ("sym", key[0])
    parts: list[object] = [type(node).__name__]
    for f in fields(node):
        if f.name in ("start", "end", "from_macro", "span"):
            continue
        v = getattr(node, f.name)
        if isinstance(v, t.Node):
            parts.append(_form(v))
        elif isinstance(v, tuple):
            parts.append(tuple(_form(x) if isinstance(x, t.Node) else x for x in v))
        else:
            parts.append(v)
    return tuple(parts)


# -- scalars named by their role ----------------------------------------------------------

_ROLE = (
    r"(?:(?:noise|prior|sample|observation|kernel|signal)\s+)?(?:variance|standard\s+deviation|"
    r"step[- ]?size|learning\s+rate|temperature|bandwidth|length[- ]?scale|weight\s+decay|"
    r"threshold|margin|tolerance|(?:Lagrange\s+)?multiplier|(?:regulari[sz]ation|penalty|smoothing|trade-?off|barrier)\s+"
    r"(?:parameter|weight|strength|coefficient|constant))"
)
_ROLE_SCALAR = re.compile(r"\b" + _ROLE + r"\s+" + _M.format("sym"), re.I)
_ROLE_SCALAR_FOLDED = folded_pattern(_ROLE_SCALAR.pattern)  # (searched on folded text: fast)
# "let $\sigma_n^2$ be the noise variance", "$\eta$ is the learning rate"
_ROLE_SCALAR_AFTER = re.compile(
    _M.format("sym") + r"\s+(?:be|is|denotes?)\s+(?:the|a|an|our)\s+" + _ROLE + r"\b", re.I
)
_ROLE_SCALAR_AFTER_FOLDED = folded_pattern(_ROLE_SCALAR_AFTER.pattern)
_FOLDED = (_ROLE_SCALAR_FOLDED, _ROLE_SCALAR_AFTER_FOLDED)


# "$\gamma$ and $\beta$ (scalars)", "scale $\gamma$ and shift $\beta$ (both scalars)"
def _listed(group: str) -> str:
    return r"(?:\s*(?:,|,?\s*and)\s+(?:[A-Za-z-]+\s+){0,2}" + _M.format(group) + r")?"


_SCALARS_AFTER = re.compile(
    _M.format("sym") + _listed("sym2") + _listed("sym3")
    + r"\s*\((?:a\s+|both\s+|all\s+|real\s+)*scalars?\)"
)  # fmt: skip
# "where $\gamma$ and $\beta$ are learned scalars", "$\tau$ is a fixed scalar" (not "… is a
# scalar multiple of …")
_SCALARS_SAID = re.compile(
    _M.format("sym") + _listed("sym2") + _listed("sym3")
    + r"\s+(?:are|is)\s+(?:(?:a|an|both|all|two|real|learned|learnable|trainable|fixed|given"
    r"|positive|free)\s+)*scalars?\b(?!\s+(?:multiples?|functions?|products?)\b)"
)  # fmt: skip
# "a scalar target $t$", "the scalar $s$", "scalar labels $y_i$" (not "a scalar multiple of $x$")
_SCALAR_BEFORE = re.compile(
    r"\b(?:(?:a|an|the)\s+(?:real\s+)?scalar(?:\s+(?!of\b)[A-Za-z-]+)?"
    r"|(?:real\s+)?scalar\s+(?!of\b)[A-Za-z-]+s)\s+" + _M.format("sym")
)


def _scalar_key(node: t.Node | None, *, bold: bool = False) -> str | None:
    r"""The letter a role names: ``\sigma_n`` of ``\sigma_n^2``, ``\eta`` (a bold one only
    when ``bold``: never made a scalar, but not read a vector by its use either)."""
    node = _subject(node)
    if (
        isinstance(node, t.Power)
        and isinstance(node.exponent, t.Number)
        and node.exponent.text == "2"
    ):
        node = node.base  # the variance σ² names σ
    base = node.base if isinstance(node, t.Sub) else node
    if not isinstance(base, t.Symbol) or (base.font is not None and not bold):
        return None
    key = symbol_key(node) if node is not None else None
    return key[0] if key is not None else None


def stated_scalars(text: str, rows: list[PlacedRow]) -> list[tuple[str, int]]:
    """Letters the prose makes scalars by naming their role ("the noise variance $\\sigma_n^2$",
    "learning rate $\\eta$") by a trailing "(scalars)" or a leading "a scalar target $t$", each with where it is said."""
    out: list[tuple[str, int]] = []
    starts = [r.start for r in rows]
    patterns = (
        (_ROLE_SCALAR_FOLDED, ("sym",)),
        (_ROLE_SCALAR_AFTER_FOLDED, ("sym",)),
        (_SCALARS_AFTER, ("sym", "sym2", "sym3")),
        (_SCALARS_SAID, ("sym", "sym2", "sym3")),
    )
    folded_text = folded(text)
    for pattern, groups in (*patterns, (_SCALAR_BEFORE, ("sym",))):
        # (only the groups' offsets are read: the same in the folded text)
        for m in pattern.finditer(folded_text if pattern in _FOLDED else text):
            for g in groups:
                if m[g] is None:
                    continue
                row = _row_at(rows, starts, m.start(g))
                key = _scalar_key(row.tree_as_parsed) if row is not None else None
                if key is not None:
                    out.append((key, m.start(g)))
    return out


def role_named(text: str, rows: list[PlacedRow]) -> frozenset[str]:
    r"""Letters in any font, bold ones too, the prose names by a scalar's role ("a margin
    $\mathbf m$", "$\boldsymbol\tau$ is the threshold"): what their use suggests of them
    (``\mathbf m^\top\mathbf w``: a vector) is not their shape — the words and the face
    disagree, and neither is taken."""
    starts = [r.start for r in rows]
    folded_text = folded(text)
    out: set[str] = set()
    for pattern in _FOLDED:
        for m in pattern.finditer(folded_text):
            row = _row_at(rows, starts, m.start("sym"))
            key = _scalar_key(row.tree_as_parsed, bold=True) if row is not None else None
            if key is not None:
                out.add(key)
    return frozenset(out)
