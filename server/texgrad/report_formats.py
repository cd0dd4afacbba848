r"""The formats of ``texgrad check`` that other tools read: SARIF 2.1.0 for code scanning
(GitHub's among them) and GitHub Actions workflow commands (annotations).

Both are made from the records the JSON format prints (``cli._diagnostic_record``: a
diagnostic's path relative to the working directory, 1-based lines and columns in
characters, severity, code, message, related places and fixes), so every format says the
same thing.  SARIF counts columns in UTF-16 code units unless a run says otherwise
(``columnKind``, §3.14.17): the columns are converted with the text of each line, read as
texgrad reads the file, so a `Größe 𝔼 → $A x$` line points at the formula in any viewer.

What each code means and how to fix it is :data:`RULES`, one entry per code of
``shapes.diagnostics.CODES`` (a new code without help text fails the tests).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from texgrad import __version__
from texgrad.reading.project import read_file
from texgrad.reading.source import line_starts
from texgrad.shapes.diagnostics import CODES

FORMATS = ("sarif", "github")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# where a SARIF viewer links the tool's name: the installed package's home page
# (pyproject's [project.urls]), else its page on the Python package index
PACKAGE_INDEX_URI = "https://pypi.org/project/texgrad/"
# the base the relative URIs of a run are resolved against: the working directory
ROOT_ID = "SRCROOT"

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    """What a diagnostic code means (SARIF's reportingDescriptor): a one-line summary, a
    paragraph, and help that says how to fix it, as plain text and as Markdown."""

    code: str
    short: str
    full: str
    fix: str  # Markdown (backticks for LaTeX); the plain-text help drops the backticks
    example: str = ""  # a Markdown line: a small case that is reported

    @property
    def name(self) -> str:
        """SARIF's rule name, which validators want unlike the id even in case:
        `matmul-mismatch` is MatmulMismatch, a one-word code such as `redeclared` gets the
        name of :data:`_ONE_WORD_NAMES` (`redeclared` is SymbolRedeclared)."""
        name = "".join(part.capitalize() for part in self.code.split("-"))
        if "-" not in self.code:
            name = _ONE_WORD_NAMES.get(self.code, name + "Rule")
        return name

    @property
    def help_markdown(self) -> str:
        parts = [f"**{self.short}.** {self.full}", f"**How to fix it.** {self.fix}"]
        if self.example:
            parts.append(f"**Example.** {self.example}")
        return "\n\n".join(parts)

    @property
    def help_text(self) -> str:
        parts = [f"{self.short}. {self.full}", f"How to fix it: {self.fix}"]
        if self.example:
            parts.append(f"Example: {self.example}")
        return "\n\n".join(parts).replace("`", "")


# rule names for codes of one word (a name must not be the id in another case)
_ONE_WORD_NAMES = {"redeclared": "SymbolRedeclared"}

_TRANSPOSE_FIX = (
    "In an editor, texgrad offers a quick fix that inserts the transpose where one makes "
    "the shapes agree."
)

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "matmul-mismatch",
            "The inner dimensions of a matrix product differ",
            "In a product `AB` the columns of `A` must equal the rows of `B`. texgrad knows "
            "each factor's shape from what the document declares (`A \\in \\mathbb{R}^{m "
            '\\times n}`, a signature, prose such as "an $n \\times n$ matrix", a definition) '
            "and found a product whose left factor has a different number of columns than the "
            "right factor has rows. The message names both shapes; the related locations are "
            "the declarations they come from.",
            "Check the order of the factors and whether one of them should be transposed "
            "(`A^\\top y` rather than `A y`). " + _TRANSPOSE_FIX + " If the formula is right, "
            "the declaration is not: correct it where the related location points.",
            "With `$A \\in \\mathbb{R}^{m \\times n}$` and `$y \\in \\mathbb{R}^m$`, `$A y$` is "
            "reported (n ≠ m); `$A^\\top y$` is an n-vector.",
        ),
        Rule(
            "add-mismatch",
            "Terms of a sum have different shapes",
            "A sum or difference adds terms of one shape, and two of its terms have shapes "
            "that differ: an n-vector and an m-vector, an m×n matrix and its n×m transpose, a "
            "matrix and an identity `I_m` of another size (an identity `I_n` or a zero `0_n` "
            "has the size it is written with).",
            "Make every term the same shape: a transpose too many or too few, an identity of "
            "the wrong size, or a declaration with the wrong size. " + _TRANSPOSE_FIX,
            "With `$A \\in \\mathbb{R}^{m \\times n}$`, `$A + A^\\top$` is reported unless "
            "m = n; with `$x \\in \\mathbb{R}^n$` and `$s \\in \\mathbb{R}^m$`, so is `$x + s$`.",
        ),
        Rule(
            "not-square",
            "An operation needs a square matrix",
            "An inverse, a power, a trace or a determinant is defined for a square matrix only, "
            "and the matrix here has a different number of rows and columns.",
            "Apply the operation to a square matrix: often a Gram matrix was meant "
            "(`(A^\\top A)^{-1}` for `A^{-1}`), or a pseudo-inverse (`A^+`, `A^\\dagger`). If "
            "the matrix is square, declare it so.",
            "With `$A \\in \\mathbb{R}^{m \\times n}$`, `$\\operatorname{tr}(A)$` and `$A^{-1}$` "
            "are reported; `$\\operatorname{tr}(A^\\top A)$` is not.",
        ),
        Rule(
            "equation-mismatch",
            "The two sides of an equation have different shapes",
            "Both sides of an equation must have one shape. texgrad computed each side's "
            "shape from the declarations, and they differ.",
            "Check each side for a missing transpose or a wrong factor, and the declaration of "
            "the symbol defined by the equation. " + _TRANSPOSE_FIX,
            "With `$w \\in \\mathbb{R}^d$` and `$X \\in \\mathbb{R}^{n \\times d}$`, "
            "`$w = X^\\top X$` is reported (d-vector = d×d).",
        ),
        Rule(
            "elementwise-mismatch",
            "Operands of an elementwise operation have different shapes",
            "An elementwise product or division (`\\odot`, `\\oslash`) pairs entries "
            "one to one, so both operands must have the same shape.",
            "Give both operands the same shape (a transpose, or a vector of the right length), "
            "or use the product that was meant (`\\operatorname{diag}(d) A` scales the rows of "
            "`A`).",
            "With `$u \\in \\mathbb{R}^n$` and `$v \\in \\mathbb{R}^m$`, `$u \\odot v$` is "
            "reported.",
        ),
        Rule(
            "block-mismatch",
            "Blocks of a block matrix do not line up",
            "In a block matrix written out (`bmatrix`, `pmatrix`, an `array` in brackets) the "
            "blocks of one block-row must have the same number of rows, and the blocks of one "
            "block-column the same number of columns. `0`, `I` and scalars take the size their "
            "row and column force; the blocks reported have sizes that cannot agree.",
            "Check the block in the message against its neighbours: a transposed block, a "
            "block in the wrong place, or a declaration of the wrong size. " + _TRANSPOSE_FIX,
            "With `$A \\in \\mathbb{R}^{n \\times n}$` and `$b \\in \\mathbb{R}^m$`, "
            "`$\\begin{bmatrix} A & b \\end{bmatrix}$` is reported (n rows beside m).",
        ),
        Rule(
            "argument-mismatch",
            "A function's argument does not have the shape of its domain",
            "A function declared with a signature (`f : \\mathbb{R}^n \\to \\mathbb{R}^m`) is "
            "applied to an argument of another shape.",
            "Pass an argument of the domain's shape, or correct the signature (the related "
            "location points at it).",
            "With `$f : \\mathbb{R}^n \\to \\mathbb{R}$` and `$y \\in \\mathbb{R}^m$`, `$f(y)$` "
            "is reported.",
        ),
        Rule(
            "redeclared",
            "A symbol is declared again with another shape",
            "One sentence declares the same symbol twice with different shapes, so texgrad "
            "cannot tell which one is meant. It is a warning, and only within one sentence: "
            "papers re-declare letters from section to section and problem sets from item to "
            "item on purpose, and each declaration then holds until the next.",
            "Use another letter for one of the two objects, or make the two declarations "
            "agree; the related location is the first declaration.",
            "`Let $q \\in \\mathbb{R}^n$ and $q \\in \\mathbb{R}^m$ be given.`",
        ),
        Rule(
            "no-declarations",
            "The document declares no shape",
            "A document with math and no declaration at all gets this one note (on its first "
            "formula) instead of a message per symbol: without a declaration texgrad knows no "
            "shape, so it can check nothing and differentiate nothing.",
            "Declare each symbol where you introduce it: `$A \\in \\mathbb{R}^{m \\times n}$`, "
            '`$x \\in \\mathbb{R}^n$`, `$\\lambda > 0$`, prose such as "Let $W$ be an $m '
            '\\times n$ matrix", or a comment `% texgrad: A n×m, x m` (LaTeX) or '
            '`<!-- texgrad: A nxm, x m -->` (Markdown). See "Declaring shapes" in texgrad\'s '
            "README.",
        ),
        Rule(
            "too-deep",
            "Math nested deeper than texgrad reads",
            "A formula whose brackets, fractions, superscripts or function applications nest "
            "more than 40 levels deep is not read: deep input cannot take texgrad's time or "
            "stack, so that one row is left unchecked and the rest of the file is checked.",
            "Name an intermediate (`$u = \\ldots$`) and use it, so that no formula nests so "
            "deep; real documents nest at most about 15 levels.",
        ),
        Rule(
            "too-large",
            "A number or size too large to compute with",
            "A number of more than 40 digits, or a dimension such as `2^{2^{40}}` that does not "
            "fit in 64 bits, is not computed with: that row is left unchecked, or what the "
            "declaration declares is of unknown size.",
            "Write the size as a symbol (`$x \\in \\mathbb{R}^N$`) and state how large it is "
            "in prose if it matters.",
        ),
        Rule(
            "wrong-derivative",
            "A derivative the document writes is not the derivative",
            "texgrad differentiated the left side of an equation that states a derivative "
            "(`\\nabla_x f = …`, `\\frac{\\partial f}{\\partial X} = …`, `\\mathrm{d}F = …`), "
            "verified its own result against finite differences, and compared it with the "
            "right side at random points with a different size for every dimension: they "
            "differ. A gradient written as a row or a column, a Jacobian either way round, "
            "and a layout the document states are all accepted.",
            "Replace the right side by the derivative texgrad found (the message quotes it; "
            "the SARIF `fixes` and the editor's quick fix hold the replacement), or correct "
            "the declarations if the written derivative assumes another shape or a "
            'symmetric matrix (say "$S$ symmetric" where it is). `texgrad check '
            "--no-derivatives` skips this check.",
            "`$\\nabla_x (x^\\top A x) = 2Ax$` for a matrix `A` not declared symmetric: texgrad "
            "finds `(A + A^\\top) x`.",
        ),
        Rule(
            "unequal-step",
            "A step of a derivation does not equal the step before it",
            "Two consecutive rows of a derivation (`a &= b \\\\ &= c`, or `a = b = c`) were "
            "evaluated at random points with a different size for every dimension: they "
            "differ at every one. Only steps whose symbols the document declares (or defines) "
            "are compared, and only algebra: a substitution, a stated property (orthogonal, "
            "idempotent, an approximation) or anything texgrad cannot evaluate is left alone.",
            "Correct the row the warning is on (the slip is there: the rows before it agree), "
            'or say what the step relies on (declare "$S$ symmetric" where it is). `texgrad '
            "check --no-derivatives` skips this check.",
            "`$\\operatorname{tr}(XX^\\top B) = \\operatorname{tr}(X^\\top XB)$`: the cyclic "
            "property moves whole factors.",
        ),
        Rule(
            "derivatives-unchecked",
            "Some derivatives the document writes were not checked",
            "The check of written derivatives has a time bound (`--derivatives-budget`) and a "
            "memory bound; it reached one, so the derivatives from the noted one onward were "
            "not compared. Nothing after it was found right or wrong.",
            "Check the file alone, or raise `--derivatives-budget`; a very long document can be "
            "split into `\\input` files.",
        ),
        Rule(
            "unread-math",
            "Math texgrad cannot read",
            "Reported with `--explain` only. The row does not parse as LaTeX math (an "
            "unclosed bracket, a macro with no definition texgrad knows); the message says "
            "where reading stops. The rest of the file is checked.",
            "Close what is open, or define the macro in the document (`\\newcommand`) so that "
            "texgrad can expand it.",
        ),
        Rule(
            "unknown-shape",
            "A letter has no shape",
            "Reported with `--explain` only, once per letter. The letter is never declared, "
            "declared only after this use, or declared where that declaration does not hold; "
            "the rows using it are not checked. The message suggests a declaration fitted to "
            "how the letter is used.",
            "Declare it before its first use (`$\\Phi \\in \\mathbb{R}^{n \\times m}$`, or in "
            'prose: "an $n \\times m$ matrix $\\Phi$").',
        ),
        Rule(
            "cannot-differentiate",
            "A row texgrad cannot differentiate",
            "Reported with `--explain` only: the reason the editor's disabled "
            '"Differentiate" action gives (a list or a point, a function the document never '
            "defines, an operator texgrad does not know).",
            "Define the function the row uses (`$\\sigma(t) = 1/(1 + e^{-t})$`), or write the "
            "expression with declared symbols.",
        ),
        Rule(
            "derivative-not-checked",
            "A written derivative was neither verified nor found wrong",
            "Reported with `--explain` only: the message says why (the function it "
            "differentiates has no formula in the document, it is evaluated at a point, its "
            "symbols have no shapes, …).",
            "Give the function a formula and its symbols shapes before the derivative, if you "
            "want it checked.",
        ),
    )
}

# a diagnostic's severity as SARIF's result level and as GitHub's workflow command
_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
_GITHUB_COMMAND = {
    "error": "error",
    "warning": "warning",
    "information": "notice",
    "hint": "notice",
}
# the codes of the calculus layer (SARIF taxonomy "derivatives"; the others are "shapes")
_DERIVATIVE_CODES = frozenset(("wrong-derivative", "unequal-step", "derivatives-unchecked", "cannot-differentiate", "derivative-not-checked"))  # fmt: skip
# the severity each code is reported with (SARIF's defaultConfiguration)
_DEFAULT_SEVERITY = {"redeclared": "warning", "wrong-derivative": "warning", "unequal-step": "warning", "no-declarations": "information", "derivatives-unchecked": "information", "unread-math": "information", "unknown-shape": "information", "cannot-differentiate": "information", "derivative-not-checked": "information"}  # fmt: skip


def information_uri() -> str:
    """The home page the installed package's metadata names (``Project-URL: Homepage, …``
    or ``Home-page``), else its page on the package index."""
    try:
        meta = metadata("texgrad")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return PACKAGE_INDEX_URI
    for entry in meta.get_all("Project-URL") or ():
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository"):
            if url.strip().startswith("https://"):
                return url.strip()
    home = (meta["Home-page"] or "") if "Home-page" in meta else ""
    return home if home.startswith("https://") else PACKAGE_INDEX_URI


def rule_of(code: str) -> Rule:
    """The rule of ``code``; a code without help text (none, as the tests check) still gets
    one, from the one-line meaning in ``CODES``."""
    if code in RULES:
        return RULES[code]
    meaning = CODES.get(code, code)
    return Rule(code, meaning[:1].upper() + meaning[1:], meaning[:1].upper() + meaning[1:] + ".",
                "See the message: it names what differs.")  # fmt: skip


def render(
    fmt: str,
    records: Sequence[Record],
    root: str | Path | None = None,
    failures: Sequence[str] = (),
) -> str:
    """``texgrad check --format FMT``: the whole output for the diagnostics' ``records``;
    ``failures``: what the run said on stderr about input it could not check (a missing
    path, an unreadable file), which SARIF's invocation and GitHub's annotations carry too."""
    if fmt == "sarif":
        log = sarif_log(records, root, failures)
        return json.dumps(log, ensure_ascii=False, indent=1) + "\n"
    if fmt == "github":
        lines = github_commands(records) + [
            f"::error title={escape_property('texgrad')}::{escape_data(f)}" for f in failures
        ]
        return "".join(line + "\n" for line in lines)
    raise ValueError(f"unknown format {fmt!r}")


# -- SARIF ------------------------------------------------------------------------------


class _Lines:
    """The lines of the files diagnostics point into, read once each, as texgrad reads
    them (a byte-order mark dropped, the same line breaks), to count columns in UTF-16."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, line: int) -> str:
        if path not in self._lines:
            text, _ = read_file(path)
            starts = line_starts(text)
            ends = [*starts[1:], len(text)]
            self._lines[path] = [
                text[a:b].rstrip("\r\n") for a, b in zip(starts, ends, strict=True)
            ]
        lines = self._lines[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def between(
        self, path: str, line: int, column: int, end_line: int, end_column: int | None
    ) -> str:
        """The text from a 1-based line and column to another (``None``: the line's end),
        lines joined by ``\\n``; "" where the file no longer has those lines."""
        self.line(path, 1)  # the file, read once
        lines = self._lines[path]
        if not 0 < line <= end_line <= len(lines):
            return ""
        rows = lines[line - 1 : end_line]
        if end_column is not None:
            rows[-1] = rows[-1][: end_column - 1]
        rows[0] = rows[0][column - 1 :]
        return "\n".join(rows)

    def utf16(self, path: str, line: int, column: int) -> int:
        """The 1-based UTF-16 column of the 1-based ``column`` (in characters) of a line."""
        text = self.line(path, line)
        before = text[: column - 1]
        past_end = max(0, column - 1 - len(text))  # the end of a range after the line's last
        return 1 + len(before.encode("utf-16-le")) // 2 + past_end


def sarif_log(
    records: Sequence[Record], root: str | Path | None = None, failures: Sequence[str] = ()
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run: the tool with a rule per code texgrad reports, a
    result per record, and the invocation (successful unless some input could not be
    checked: ``failures``, each a notification). Paths are made relative to ``root`` (the
    working directory by default) and resolved against it through ``originalUriBaseIds``;
    a file outside it is named by its absolute ``file:`` URI."""
    base = Path(root if root is not None else Path.cwd()).resolve()
    codes = list(dict.fromkeys([*CODES, *(str(r["code"]) for r in records)]))
    index = {code: i for i, code in enumerate(codes)}
    lines = _Lines()
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "texgrad",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": information_uri(),
                "rules": [_rule_descriptor(rule_of(code)) for code in codes],
            }
        },
        "originalUriBaseIds": {
            ROOT_ID: {
                "uri": base.as_uri().rstrip("/") + "/",
                "description": {"text": "The working directory texgrad check ran in."},
            }
        },
        "invocations": [
            {
                "executionSuccessful": not failures,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": f}} for f in failures
                ],
            }
        ],
        "columnKind": "utf16CodeUnits",
        "results": [_result(r, index, base, lines) for r in records],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    severity = _DEFAULT_SEVERITY.get(rule.code, "error")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full.replace("`", "")},
        "help": {"text": rule.help_text, "markdown": rule.help_markdown},
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        "properties": {
            "tags": [
                "maths",
                "derivatives" if rule.code in _DERIVATIVE_CODES else "shapes",
            ],
            "precision": "high",
            # GitHub code scanning reads a rule's severity from here
            "problem.severity": {"error": "error", "warning": "warning"}.get(
                severity, "recommendation"
            ),
        },
    }


def _result(r: Record, index: Mapping[str, int], base: Path, lines: _Lines) -> dict[str, Any]:
    code = str(r["code"])
    result: dict[str, Any] = {
        "ruleId": code,
        "ruleIndex": index[code],
        "level": _SARIF_LEVEL.get(str(r["severity"]), "warning"),
        "message": {"text": _in_cell(r) + str(r["message"])},
        "locations": [
            {
                "physicalLocation": _physical(
                    r, base, lines, r["line"], r["column"], r["end_line"], r["end_column"]
                )
            }
        ],  # fmt: skip
    }
    related = [
        {
            "id": i,
            "physicalLocation": _physical(
                rel,
                base,
                lines,
                rel["line"],
                rel["column"],
                rel.get("end_line"),
                rel.get("end_column"),
            ),
            "message": {"text": _in_cell(rel) + str(rel["message"])},
        }  # fmt: skip
        for i, rel in enumerate(r.get("related") or (), start=1)
    ]
    if related:
        result["relatedLocations"] = related
    # (a notebook's lines are its cells', not its file's: no region to replace there)
    fixes = [_fix(r, f, base, lines) for f in r.get("fixes") or ()] if not r.get("cell") else []
    if fixes:
        result["fixes"] = fixes
    return result


def _physical(
    where: Record,
    base: Path,
    lines: _Lines,
    line: int,
    column: int,
    end_line: int | None = None,
    end_column: int | None = None,
) -> dict[str, Any]:
    """A physicalLocation: the artifact and the region of 1-based lines and UTF-16 columns."""
    path = str(where["path"])
    if where.get("cell"):  # (its lines are the cell's: said in the message, no region)
        return {"artifactLocation": artifact_location(path, base)}
    region: dict[str, Any] = {"startLine": int(line), "startColumn": lines.utf16(path, line, column)}  # fmt: skip
    physical: dict[str, Any] = {"artifactLocation": artifact_location(path, base), "region": region}
    if end_line is not None and end_column is not None:
        region["endLine"] = int(end_line)
        region["endColumn"] = lines.utf16(path, end_line, end_column)
        # the text itself, and its lines around it, for a viewer without the files
        written = lines.between(path, line, column, end_line, end_column)
        if written:
            region["snippet"] = {"text": written}
            around = lines.between(path, line, 1, end_line, None)
            physical["contextRegion"] = {"startLine": int(line), "endLine": int(end_line),
                                         "snippet": {"text": around}}  # fmt: skip
    return physical


def _in_cell(where: Record) -> str:
    """Where in a notebook a record is, before its message ("cell 3, line 9, column 4: "):
    its lines and columns count in the cell, which a file's region cannot say; "" else."""
    cell = where.get("cell")
    if not cell:
        return ""
    return f"cell {cell}, line {where['line']}, column {where['column']}: "


def artifact_location(path: str, base: Path) -> dict[str, str]:
    """A file as SARIF names it: a URI relative to ``base`` (percent-encoded, ``/``
    between folders) resolved through the run's base id, or an absolute ``file:`` URI
    for a file outside ``base``."""
    full = Path(path) if os.path.isabs(path) else Path.cwd() / path
    full = Path(os.path.normpath(full))
    try:
        relative = full.relative_to(base)
    except ValueError:
        return {"uri": full.as_uri()}
    return {"uri": quote(relative.as_posix(), safe="/"), "uriBaseId": ROOT_ID}


def _fix(r: Record, f: Record, base: Path, lines: _Lines) -> dict[str, Any]:
    """A fix of the diagnostic's own file: replace a region by the fix's text."""
    path = str(r["path"])
    deleted = {
        "startLine": int(f["line"]),
        "startColumn": lines.utf16(path, f["line"], f["column"]),
        "endLine": int(f["end_line"]),
        "endColumn": lines.utf16(path, f["end_line"], f["end_column"]),
    }
    return {
        "description": {"text": str(f["title"])},
        "artifactChanges": [
            {
                "artifactLocation": artifact_location(path, base),
                "replacements": [
                    {"deletedRegion": deleted, "insertedContent": {"text": str(f["text"])}}
                ],
            }
        ],
    }


# -- GitHub Actions ---------------------------------------------------------------------


def _github_lines(r: Record) -> list[tuple[str, str]]:
    """The line properties of an annotation: columns only for a range on one line."""
    if r["end_line"] == r["line"]:
        return [("line", str(r["line"])), ("col", str(r["column"])),
                ("endLine", str(r["end_line"])), ("endColumn", str(r["end_column"]))]  # fmt: skip
    return [("line", str(r["line"])), ("endLine", str(r["end_line"]))]


def github_commands(records: Iterable[Record]) -> list[str]:
    """One workflow command per diagnostic (``::error``, ``::warning``, ``::notice``),
    which GitHub Actions shows as an annotation on the file and line; the related places
    follow the message as ``note:`` lines. Columns are given only for a range on one line
    (GitHub takes none for a range over lines)."""
    out = []
    for r in records:
        command = _GITHUB_COMMAND.get(str(r["severity"]), "warning")
        props = [("file", _github_path(str(r["path"])))]
        if not r.get("cell"):  # (a cell's lines are not the file's: said in the message)
            props += _github_lines(r)
        props.append(("title", f"texgrad {r['code']}"))
        message = _in_cell(r) + str(r["message"])
        for rel in r.get("related") or ():
            cell = f"cell {rel['cell']}:" if rel.get("cell") else ""
            message += (
                f"\nnote: {rel['path']}:{cell}{rel['line']}:{rel['column']}: {rel['message']}"
            )
        joined = ",".join(f"{k}={escape_property(v)}" for k, v in props)
        out.append(f"::{command} {joined}::{escape_data(message)}")
    return out


def _github_path(path: str) -> str:
    """A path as the working directory sees it, with ``/`` (GitHub matches the checkout's)."""
    return path.replace(os.sep, "/") if os.sep != "/" else path


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: its message escapes, and ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
