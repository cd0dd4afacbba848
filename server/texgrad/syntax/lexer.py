r"""A TeX tokenizer for math, feeding Lark's LALR parser.

A hand-written lexer rather than Lark's regular-expression one, because TeX
tokenization depends on context a regular language cannot see:

- ``x^23`` means ``x^2 3``: after ``^``, ``_``, ``\frac`` … a digit run gives
  one digit;
- a bare ``|`` or ``\|`` opens or closes depending on what came before and on
  the delimiters still open;
- ``\text{…}``, ``\operatorname{…}``, ``\label{…}``, ``\begin{array}{cc}``
  take balanced braced arguments;
- row environments (aligned, split …) are transparent at the top of a row,
  and ``&`` there is only alignment.

Every token carries ``start_pos``/``end_pos`` in the row text, from which the
tree builder computes source ranges.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Token

from texgrad.reading.macros import balanced_group
from texgrad.reading.regions import ROW_ENVIRONMENTS


class LexError(Exception):
    """A lexical error at text[start:end] (unbalanced braces, a stray \\right …)."""

    def __init__(self, message: str, start: int, end: int):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end


GREEK = frozenset(
    """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa lambda
    mu nu xi omicron pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega varGamma varDelta varTheta
    varLambda varXi varPi varSigma varUpsilon varPhi varPsi varOmega digamma""".split()
)
SYMBOLS = GREEK | frozenset(
    """ell infty emptyset varnothing hbar imath jmath aleph beth top bot intercal prime dagger
    ddagger forall exists nexists neg lnot angle triangle Box square blacksquare checkmark
    natural sharp flat clubsuit heartsuit spadesuit diamondsuit surd wp Re Im partialup
    mho complement backprime bigstar lozenge varpropto""".split()
)
FUNCTIONS = frozenset(
    """log ln lg exp sin cos tan sec csc cot arcsin arccos arctan sinh cosh tanh coth det max
    min sup inf lim liminf limsup arg deg dim gcd hom ker Pr argmax argmin tr Tr trace diag
    rank vec sgn sign softmax relu erf""".split()
)
BIG_OPERATORS = frozenset(
    "sum prod coprod int iint iiint oint bigcup bigcap bigoplus bigotimes bigodot bigvee bigwedge bigsqcup".split()
)
FONTS = frozenset(
    "mathbf boldsymbol bm mathit mathrm mathsf mathcal mathbb mathfrak mathscr mathtt mathnormal pmb vb mathbold bbold symbf symbfit mathbfit".split()
)
ACCENTS = frozenset(
    """hat widehat tilde widetilde bar overline underline dot ddot dddot vec check breve acute grave
    mathring overrightarrow overleftarrow overleftrightarrow underbrace overbrace boxed cancel
    bcancel xcancel underline ubar wideparen""".split()
)
TEXT_COMMANDS = frozenset(
    """text mbox textrm textbf textit textsf texttt textup textnormal hbox intertext
    shortintertext textsc emph fbox""".split()
)
# Text fonts that some documents use for symbols in math (\textbf{x}), as the math font.
_TEXT_FONTS = {"textbf": "mathbf", "textit": "mathit", "textrm": "mathrm", "textsf": "mathsf"}
RELATIONS = frozenset(
    """neq ne approx le leq ge geq leqslant geqslant ll gg lesssim gtrsim prec succ preceq succeq
    preccurlyeq succcurlyeq in notin ni subset subseteq supset supseteq subsetneq supsetneq
    coloneqq coloneq eqqcolon triangleq defeq eqdef equiv propto to rightarrow longrightarrow
    leftarrow longleftarrow gets mapsto longmapsto Rightarrow Longrightarrow Leftarrow implies
    impliedby iff Leftrightarrow leftrightarrow Longleftrightarrow sim simeq cong asymp doteq
    approxeq mid nmid parallel perp vdash models colon lt gt hookrightarrow rightharpoonup
    searrow nearrow downarrow uparrow vcentcolon stackrel overset underset lessdot""".split()
)
MULTIPLICATIONS = frozenset(
    """cdot times odot circ otimes oslash ast star bullet div oplus ominus wedge vee cap cup
    setminus smallsetminus diamond boxtimes boxdot circledast bigcirc land lor sqcup sqcap
    backslash ltimes rtimes""".split()
)
DOTS = frozenset("cdots ldots dots vdots ddots dotsc dotsb dotsm dotsi dotso iddots".split())
# Commands that only change spacing, size or numbering: dropped.
SKIP = frozenset(
    """displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits nonumber
    notag hline hfill enspace thinspace medspace thickspace negthinspace negmedspace
    negthickspace allowbreak mathstrut strut noindent relax cr hfil displaybreak centering
    protect boldmath unboldmath bf rm it sf cal tt normalsize small footnotesize scriptsize
    large Large LARGE huge Huge tiny null nobreak medskip bigskip smallskip vfill newline
    middle middlebar""".split()
)
# Dropped together with their braced argument(s): name -> how many.
SKIP_WITH_ARGS = {
    "label": 1, "tag": 1, "tag*": 1, "hspace": 1, "hspace*": 1, "vspace": 1, "vspace*": 1,
    "phantom": 1, "hphantom": 1, "vphantom": 1, "color": 1, "eqref": 1, "ref": 1, "cite": 1,
    "kern": 0, "mkern": 0, "mspace": 1, "raisebox": 1, "scalebox": 1, "rule": 2, "footnote": 1,
    "index": 1, "intertext": 1, "nocite": 1, "setlength": 2, "addtolength": 2,
}  # fmt: skip
MATRIX_ENVIRONMENTS = frozenset(
    """matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix array subarray cases dcases
    rcases cases* dcases* matrix* pmatrix* bmatrix* Bmatrix* vmatrix* Vmatrix* psmallmatrix
    bsmallmatrix numcases subnumcases""".split()
)
BIG_SIZES = re.compile(r"\\(?:big|Big|bigg|Bigg)([lrm]?)(?![A-Za-z])")
OPERATOR_NAMES_IN_TEXT = FUNCTIONS | frozenset(
    "Tr tr diag rank vec eig det softmax prod sign sgn argmax argmin relu logsumexp Var Cov var cov E".split()
)

# After these, an operator has no left operand (so it is named, not applied).
_NO_LEFT_OPERAND = frozenset(
    {
        None,
        "OPEN",
        "LBRACE",
        "COMMA",
        "REL",
        "MULOP",
        "SUB",
        "SUP",
        "AMP",
        "ROWSEP",
        "SEP",
        "OPTOPEN",
        "BEGIN",
    }
)
_NO_RIGHT_OPERAND = frozenset(
    {"CLOSE", "RBRACE", "COMMA", "REL", "AMP", "ROWSEP", "END", "OPTCLOSE", "SEP"}
)

_MERGED = frozenset({"REL", "ADDOP", "SEP"})
_WIDE_SPACES = frozenset({"\\quad", "\\qquad"})
_CLOSERS = frozenset({"CLOSE", "RBRACE", "END", "AMP", "ROWSEP", "OPTCLOSE"})
_DANGLING = frozenset({"REL", "ADDOP", "MULOP", "COMMA", "SEP"})

# Operand-ending token types: after one of these a bare bar closes.
_ENDS_OPERAND = frozenset(
    {
        "LETTER",
        "NUMBER",
        "SYMBOL",
        "FSYMBOL",
        "RBRACE",
        "CLOSE",
        "PRIME",
        "BANG",
        "DOTS",
        "TEXT",
        "OPAQUE",
        "END",
        "OPTCLOSE",
    }
)

_MAIN = re.compile(
    r"""(?P<space>[ \t\r\n~]+)
      |(?P<cs>\\(?:[A-Za-z@]+\*?|.))
      |(?P<number>\d+(?:\.\d+)?|\.\d+)
      |(?P<letter>[A-Za-z])
      |(?P<dots>\.\.\.)
      |(?P<other>.)""",
    re.X | re.S,
)
_SPACE = re.compile(r"[ \t\r\n~]*")
_SINGLE_ARGUMENT = re.compile(
    r"\s*\{\s*([A-Za-z0-9]|\\[A-Za-z]+)\s*\}|[ \t]*([A-Za-z])(?![A-Za-z])"
)
_BRACED_SINGLE = re.compile(r"[ \t]*\{\s*([A-Za-z0-9])\s*\}")
_ENV = re.compile(r"\s*\{([^{}]*)\}")
_DELIM_AFTER_LEFT = re.compile(r"\s*(\\[A-Za-z]+|\\[{}|.]|\\\||[()\[\]|./<>])")
_OPEN_CS = {
    "{": "\\{",
    "lbrace": "\\{",
    "langle": "\\langle",
    "lVert": "\\|",
    "lvert": "|",
    "lfloor": "\\lfloor",
    "lceil": "\\lceil",
    "lgroup": "(",
}
_CLOSE_CS = {
    "}": "\\}",
    "rbrace": "\\}",
    "rangle": "\\rangle",
    "rVert": "\\|",
    "rvert": "|",
    "rfloor": "\\rfloor",
    "rceil": "\\rceil",
    "rgroup": ")",
}
_UNICODE = {
    "×": ("MULOP", "\\times"), "·": ("MULOP", "\\cdot"), "⋅": ("MULOP", "\\cdot"), "−": ("ADDOP", "-"),
    "≤": ("REL", "\\le"), "≥": ("REL", "\\ge"), "≠": ("REL", "\\neq"), "≈": ("REL", "\\approx"),
    "∈": ("REL", "\\in"), "→": ("REL", "\\to"), "⊙": ("MULOP", "\\odot"), "⊗": ("MULOP", "\\otimes"),
    "∂": ("PARTIAL", "\\partial"), "∇": ("NABLA", "\\nabla"), "…": ("DOTS", "\\ldots"), "⋯": ("DOTS", "\\cdots"),
    "∑": ("BIGOP", "\\sum"), "∏": ("BIGOP", "\\prod"), "∫": ("BIGOP", "\\int"), "∞": ("SYMBOL", "\\infty"),
}  # fmt: skip


def _tok(type_: str, value: str, start: int, end: int) -> Token:
    # Token(...) goes through a deprecation shim; setting the slots directly is
    # measurably faster on the hot path (tens of thousands of tokens per document).
    tok = str.__new__(Token, value)
    tok.type = type_
    tok.value = value
    tok.start_pos = start
    tok.end_pos = end
    tok.line = tok.end_line = 1
    tok.column = start + 1
    tok.end_column = end + 1
    return tok


class Lexer:
    """Tokens of one row of math (see module docstring)."""

    def __init__(self, text: str, *, bars_as_relations: bool = False):
        self.text = text
        self.bars_as_relations = bars_as_relations
        self.tokens: list[Token] = []
        # open delimiters: (kind, token value, start) — kinds: "{", "left", "bare", "bar", "norm", "opt", "env"
        self.stack: list[tuple[str, str, int]] = []
        self.single_digit_at: set[int] = set()
        self.trailing: list[Token] = []  # a row's dangling end: `a = b +`, `x = 1,`

    # -- public ---------------------------------------------------------------
    def tokenize(self) -> list[Token]:
        text = self.text
        n = len(text)
        pos = 0
        while pos < n:
            m = _MAIN.match(text, pos)
            assert m is not None
            kind = m.lastgroup
            start, end = m.start(), m.end()
            pos = end
            if kind == "space":
                continue
            if kind == "number":
                if start in self.single_digit_at:
                    end = start + 1
                    pos = end
                self._emit("NUMBER", text[start:end], start, end)
            elif kind == "letter":
                self._emit("LETTER", text[start:end], start, end)
            elif kind == "dots":
                self._emit("DOTS", "...", start, end)
            elif kind == "cs":
                pos = self._control(m.group(0), start, end)
            else:
                pos = self._char(text[start], start, end)
        if self.stack:
            kind, value, at = self.stack[-1]
            what = {"{": "brace {", "env": f"\\begin{{{value}}}", "opt": "["}.get(kind, value)
            raise LexError(f"unclosed {what}", at, at + max(1, len(value) if kind != "env" else 7))
        self.tokens = self._normalized(self.tokens)
        return self.tokens

    def _normalized(self, tokens: list[Token]) -> list[Token]:
        """Merge and trim operator runs so the grammar needs no optional ends.

        Runs of relations (``::``, ``<=``) and of signs (``a - -b``) become one
        token; punctuation before a closer (``(a, b,)``) and leading full
        stops are dropped; a row's dangling end (``a = b +`` continued on the
        next row, ``x = 1,``) is moved to :attr:`trailing` for the builder.
        """
        out: list[Token] = []

        def is_argument(i: int) -> bool:  # the + of x^+ is an argument, not an operator
            return i > 0 and out[i - 1].type in ("SUB", "SUP")

        for tok in tokens:
            prev = out[-1] if out else None
            ty = tok.type
            if (
                prev is not None
                and ty == prev.type
                and ty in _MERGED
                and not is_argument(len(out) - 1)
            ):
                out[-1] = _tok(
                    ty, str(prev.value) + str(tok.value), prev.start_pos or 0, tok.end_pos or 0
                )
                continue
            if ty in _CLOSERS and prev is not None and prev.type in _DANGLING:
                if prev.type in ("COMMA", "SEP"):
                    out.pop()  # (a, b,)
                elif prev.type == "ADDOP" and len(out) > 1 and out[-2].type not in _NO_LEFT_OPERAND:
                    out[-1] = _tok(
                        "TRAIL", str(prev.value), prev.start_pos or 0, prev.end_pos or 0
                    )  # \left(a + \right.
                elif prev.type != "ADDOP":
                    out[-1] = _tok(
                        "SYMBOL", str(prev.value), prev.start_pos or 0, prev.end_pos or 0
                    )  # x_{i,:}
            if (
                ty == "COMMA"
                and prev is not None
                and prev.type == "REL"
                and (len(out) < 2 or out[-2].type in _NO_LEFT_OPERAND)
            ):
                out[-1] = _tok(
                    "SYMBOL", str(prev.value), prev.start_pos or 0, prev.end_pos or 0
                )  # A_{:, i}
            if ty == "SEP" and (prev is None or prev.type in _NO_LEFT_OPERAND):
                continue
            if (
                ty in ("ADDOP", "MULOP", "REL")
                and prev is not None
                and prev.type == "SEP"
                and str(prev.value) in _WIDE_SPACES
            ):
                out.pop()  # `a \quad + b`: the space only aligns a continued line
            out.append(tok)
        while out and out[-1].type in _DANGLING and not is_argument(len(out) - 1):
            self.trailing.insert(0, out.pop())
        return out

    # -- helpers --------------------------------------------------------------
    def _emit(self, type_: str, value: str, start: int, end: int) -> None:
        prev = self.tokens[-1] if self.tokens else None
        prev_type = prev.type if prev is not None else None
        if type_ == "MULOP" and prev_type in _NO_LEFT_OPERAND:
            type_ = "SYMBOL"  # an operator named, not applied: \phi(\cdot), a^{\otimes 3}
        elif type_ in _NO_RIGHT_OPERAND and prev_type == "MULOP" and prev is not None:
            self.tokens[-1] = _tok(
                "SYMBOL", str(prev.value), prev.start_pos or 0, prev.end_pos or 0
            )
        elif (
            type_ in ("SUB", "SUP")
            and prev_type in _NO_LEFT_OPERAND
            and prev_type not in ("SUB", "SUP")
        ):
            self.tokens.append(
                _tok("OPAQUE", "", start, start)
            )  # a script with nothing to attach to: {}_a, $_0$
        self.tokens.append(_tok(type_, value, start, end))

    def _prev_type(self) -> str | None:
        return self.tokens[-1].type if self.tokens else None

    def _mark_args(self, pos: int, count: int) -> None:
        """The next ``count`` arguments from ``pos`` are single tokens: mark digits."""
        text = self.text
        for _ in range(count):
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= len(text):
                return
            c = text[pos]
            if c == "{":
                close = balanced_group(text, pos)
                if close is None:
                    return
                pos = close
            elif c.isdigit():
                self.single_digit_at.add(pos)
                pos += 1
            elif c == "\\":
                m = re.compile(r"\\(?:[A-Za-z@]+|.)").match(text, pos)
                pos = m.end() if m else pos + 1
            else:
                pos += 1

    def _single_argument(self, pos: int) -> int:
        """``x_{i}``, ``A^{T}``: a braced single letter or digit is one token (with its braces)."""
        m = _BRACED_SINGLE.match(self.text, pos)
        if m is None:
            return pos
        c = m.group(1)
        self._emit("NUMBER" if c.isdigit() else "LETTER", c, self.text.index("{", pos), m.end())
        return m.end()

    def _braced(self, pos: int) -> tuple[int, int, int] | None:
        """A braced argument after optional spaces: (open, content_end, after)."""
        p = _SPACE.match(self.text, pos).end()  # type: ignore[union-attr]
        if p < len(self.text) and self.text[p] == "{":
            close = balanced_group(self.text, p)
            if close is not None:
                return p, close - 1, close
        return None

    def _open(self, kind: str, value: str, start: int, end: int) -> None:
        self.stack.append((kind, value, start))
        self._emit("OPEN", value, start, end)

    def _close(self, kinds: tuple[str, ...], value: str, start: int, end: int) -> None:
        if not self.stack or self.stack[-1][0] not in kinds:
            if "left" in kinds and kinds == ("left",):
                raise LexError(f"{value} without a matching \\left", start, end)
            # a bare closer with nothing bare open: let the grammar report it
        else:
            self.stack.pop()
        self._emit("CLOSE", value, start, end)

    def _bar(self, kind: str, value: str, start: int, end: int, side: str = "") -> None:
        """A bar-like delimiter (| or \\|): open or close by context."""
        if self.bars_as_relations and not side:
            self._emit("REL", "\\mid" if kind == "bar" else "\\parallel", start, end)
            return
        prev = self._prev_type()
        if (
            prev in ("ADDOP", "MULOP")
            and len(self.tokens) > 1
            and self.tokens[-2].type in ("SUB", "SUP")
        ):
            prev = "SYMBOL"  # a script argument such as the + of \Phi^+
        closing = side == "r" or (
            side != "l" and bool(self.stack) and self.stack[-1][0] == kind and prev in _ENDS_OPERAND
        )
        if closing:
            self._close((kind,), value, start, end)
        else:
            self._open(kind, value, start, end)

    def _delimiter(self, tok: str, start: int, end: int, side: str) -> None:
        """A delimiter after \\big… (side l/r/m/'') or bare."""
        name = tok[1:] if tok.startswith("\\") and len(tok) > 2 else tok
        if tok in ("|", "\\vert") or name in ("vert", "lvert", "rvert"):
            self._bar(
                "bar", "|", start, end, "l" if name == "lvert" else "r" if name == "rvert" else side
            )
        elif tok in ("\\|", "\\Vert") or name in ("Vert", "lVert", "rVert"):
            self._bar(
                "norm",
                "\\|",
                start,
                end,
                "l" if name == "lVert" else "r" if name == "rVert" else side,
            )
        elif tok in ("(", "["):
            self._open("bare", tok, start, end)
        elif tok in (")", "]"):
            self._close(("bare",), tok, start, end)
        elif name in _OPEN_CS or tok == "\\{":
            self._open("bare", _OPEN_CS.get(name, "\\{"), start, end)
        elif name in _CLOSE_CS or tok == "\\}":
            self._close(("bare",), _CLOSE_CS.get(name, "\\}"), start, end)
        elif tok in ("/", "\\backslash"):
            self._emit("MULOP", "/", start, end)
        else:
            self._emit("OPAQUE", self.text[start:end], start, end)

    # -- characters -------------------------------------------------------------
    def _char(self, c: str, start: int, end: int) -> int:
        text = self.text
        if c == "{":
            self.stack.append(("{", "{", start))
            self._emit("LBRACE", "{", start, end)
        elif c == "}":
            if not self.stack or self.stack[-1][0] != "{":
                if self.stack and self.stack[-1][0] in ("left", "env"):
                    k, v, at = self.stack[-1]
                    raise LexError(
                        f"unclosed {v}" if k == "left" else f"unclosed \\begin{{{v}}}",
                        at,
                        at + len(v),
                    )
                raise LexError("unbalanced closing brace }", start, end)
            self.stack.pop()
            self._emit("RBRACE", "}", start, end)
        elif c in "()[]":
            if c == "]" and self.stack and self.stack[-1][0] == "opt":
                self.stack.pop()
                self._emit("OPTCLOSE", "]", start, end)
            else:
                self._delimiter(c, start, end, "")
        elif c == "|":
            self._delimiter("|", start, end, "")
        elif c in "+-":
            self._emit("ADDOP", c, start, end)
        elif c in "*/":
            self._emit("MULOP", c, start, end)
        elif c in "=<>":
            self._emit("REL", c, start, end)
        elif c == ":":
            if text.startswith("=", end):
                self._emit("REL", ":=", start, end + 1)
                return end + 1
            self._emit("REL", ":", start, end)
        elif c == ",":
            self._emit("COMMA", ",", start, end)
        elif c in ";.":
            self._emit("SEP", c, start, end)
        elif c in "^_":
            self._mark_args(end, 1)
            self._emit("SUP" if c == "^" else "SUB", c, start, end)
            return self._single_argument(end)
        elif c == "'":
            self._emit("PRIME", "'", start, end)
        elif c == "!":
            self._emit("BANG", "!", start, end)
        elif c == "&":
            env = next((v for k, v, _ in reversed(self.stack) if k == "env"), None)
            if env is not None and env not in ROW_ENVIRONMENTS:  # in aligned, & is only alignment
                self._emit("AMP", "&", start, end)
        elif c in _UNICODE:
            t, v = _UNICODE[c]
            self._emit(t, v, start, end)
        elif c.isalpha():
            self._emit("LETTER", c, start, end)
        else:
            self._emit("OPAQUE", c, start, end)
        return end

    # -- control sequences ------------------------------------------------------
    def _control(self, tok: str, start: int, end: int) -> int:
        text = self.text
        name = tok[1:]
        if len(name) == 1 and not name.isalpha():
            return self._control_symbol(name, start, end)
        if name in ("quad", "qquad"):
            # a wide space after an operand separates statements: A = [...] \qquad C = [...]
            if self._prev_type() in _ENDS_OPERAND:
                self._emit("SEP", tok, start, end)
            return end
        if name in SKIP:
            return end
        if name in SKIP_WITH_ARGS:
            pos = end
            opt = re.compile(r"\s*\[[^\]]*\]").match(text, pos)
            if opt and name in ("raisebox", "scalebox"):
                pos = opt.end()
            for _ in range(SKIP_WITH_ARGS[name]):
                b = self._braced(pos)
                if b is None:
                    break
                pos = b[2]
            if name in ("kern", "mkern"):
                m = re.compile(r"\s*-?[\d.]+\s*[a-z]{2}").match(text, pos)
                pos = m.end() if m else pos
            if name == "color" and self._braced(pos) is None:
                pass
            return pos
        if name == "left" or name == "right":
            m = _DELIM_AFTER_LEFT.match(text, end)
            if m is None:
                raise LexError(f"\\{name} without a delimiter", start, end)
            d = m.group(1)
            value = d if d not in ("\\lbrace", "\\rbrace") else ("\\{" if name == "left" else "\\}")
            value = {"\\lVert": "\\|", "\\rVert": "\\|", "\\Vert": "\\|", "\\lvert": "|", "\\rvert": "|", "\\vert": "|",
                     "\\lgroup": "(", "\\rgroup": ")"}.get(value, value)  # fmt: skip
            if name == "left":
                self._open("left", "\\left" + value, start, m.end())
            else:
                if not self.stack or self.stack[-1][0] != "left":
                    raise LexError(f"\\right{value} without a matching \\left", start, m.end())
                self._close(("left",), "\\right" + value, start, m.end())
            return m.end()
        sized = BIG_SIZES.fullmatch(tok)
        if sized:
            m = _DELIM_AFTER_LEFT.match(text, end)
            if m is None:
                return end
            side = sized.group(1)
            if side == "m":
                self._emit("REL", "\\mid", start, m.end())
            else:
                self._delimiter(m.group(1), start, m.end(), side)
            return m.end()
        if (
            name in ("vert", "Vert", "lvert", "rvert", "lVert", "rVert")
            or name in _OPEN_CS
            or name in _CLOSE_CS
        ):
            self._delimiter(tok, start, end, "")
            return end
        if name in ("begin", "end"):
            return self._environment(name, start, end)
        if name in TEXT_COMMANDS:
            b = self._braced(end)
            if b is None:
                self._emit("OPAQUE", tok, start, end)
                return end
            content = text[b[0] + 1 : b[1]].strip()
            if content in OPERATOR_NAMES_IN_TEXT and content.isalpha() and len(content) > 1:
                self._emit("FUNC", content, start, b[2])
            elif name in _TEXT_FONTS and len(content) == 1 and content.isalpha():
                # \textbf{a}^T\textbf{B}: a bold letter, as \mathbf{a} would be
                self._emit("FSYMBOL", _TEXT_FONTS[name] + ":" + content, start, b[2])
            else:
                self._emit("TEXT", text[start : b[2]], start, b[2])
            return b[2]
        if (
            name
            in ("operatorname", "operatorname*", "mathop", "mathrm", "textrm", "mathit", "mathsf")
            and name not in TEXT_COMMANDS
        ):
            b = self._braced(end)
            if b is not None:
                content = re.sub(r"\\[,;:! ]|\s", "", text[b[0] + 1 : b[1]])
                if name.startswith("operatorname") or name == "mathop":
                    if re.fullmatch(r"[A-Za-z]+(?:\\[,;:!])?[A-Za-z]*|[A-Za-z\-]+", content):
                        self._emit("FUNC", content.replace("-", ""), start, b[2])
                        return b[2]
                    self._emit("FONT", "mathrm", start, end)  # \mathop{\arg\min}: read the argument
                    return end
                if name == "mathrm" and content == "d":
                    self._emit("DIFF", "d", start, b[2])
                    return b[2]
                if name == "mathrm" and len(content) > 1 and content.isalpha():
                    self._emit("FUNC", content, start, b[2])
                    return b[2]
        if name in (
            "mathbin",
            "mathrel",
            "mathord",
            "mathpunct",
            "mathopen",
            "mathclose",
            "mathinner",
        ):
            b = self._braced(end)
            if b is not None and name in ("mathbin", "mathrel"):
                self._emit("MULOP" if name == "mathbin" else "REL", text[start : b[2]], start, b[2])
                return b[2]
            return end  # the argument is read as a group
        if name == "arg":
            m = re.compile(r"\s*\\(max|min)(?![A-Za-z])").match(text, end)
            if m:
                self._emit("FUNC", "arg" + m.group(1), start, m.end())
                return m.end()
        if name in FONTS:
            m = _SINGLE_ARGUMENT.match(text, end)
            inner = m.group(1) or m.group(2) if m else None
            if m and inner and (not inner.startswith("\\") or inner[1:] in SYMBOLS):
                # \mathbf{A}, \mathbb R: one token, the commonest thing in papers
                self._emit("FSYMBOL", name + ":" + inner, start, m.end())
                return m.end()
            self._mark_args(end, 1)
            self._emit("FONT", name, start, end)
            return end
        if name in ACCENTS:
            self._mark_args(end, 1)
            self._emit("ACCENT", name, start, end)
            return end
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            self._mark_args(end, 2)
            self._emit("FRAC", name, start, end)
            return end
        if name in ("binom", "dbinom", "tbinom"):
            self._mark_args(end, 2)
            self._emit("BINOM", name, start, end)
            return end
        if name == "sqrt":
            p = _SPACE.match(text, end).end()  # type: ignore[union-attr]
            self._emit("SQRT", name, start, end)
            if p < len(text) and text[p] == "[":
                self.stack.append(("opt", "[", p))
                self._emit("OPTOPEN", "[", p, p + 1)
                return p + 1
            self._mark_args(end, 1)
            return end
        if name in ("overset", "underset", "stackrel"):
            b1 = self._braced(end)
            b2 = self._braced(b1[2]) if b1 else None
            if b1 and b2:
                inner = text[b2[0] + 1 : b2[1]].strip()
                if inner in ("=", "<", ">", ":=") or (
                    inner.startswith("\\") and inner[1:] in RELATIONS
                ):
                    self._emit("REL", text[start : b2[2]], start, b2[2])
                    return b2[2]
            self._emit("OVERSET", name, start, end)
            return end
        if name in ("xrightarrow", "xleftarrow", "xmapsto"):
            p = end
            opt = re.compile(r"\s*\[[^\]]*\]").match(text, p)
            if opt:
                p = opt.end()
            b = self._braced(p)
            p = b[2] if b else p
            self._emit("REL", text[start:p], start, p)
            return p
        if name == "not":
            m = re.compile(r"\s*(\\[A-Za-z]+|[=<>])").match(text, end)
            if m:
                self._emit("REL", "\\not" + m.group(1), start, m.end())
                return m.end()
        if name in SYMBOLS:
            self._emit("SYMBOL", tok, start, end)
        elif name in FUNCTIONS:
            self._emit("FUNC", name, start, end)
        elif name in BIG_OPERATORS:
            self._emit("BIGOP", tok, start, end)
        elif name in RELATIONS:
            self._emit("REL", tok, start, end)
        elif name in MULTIPLICATIONS:
            self._emit("MULOP", tok, start, end)
        elif name in ("pm", "mp"):
            self._emit("ADDOP", tok, start, end)
        elif name in DOTS:
            self._emit("DOTS", tok, start, end)
        elif name == "nabla":
            self._emit("NABLA", tok, start, end)
        elif name == "partial":
            self._emit("PARTIAL", tok, start, end)
        else:
            return self._opaque(tok, start, end)
        return end

    def _control_symbol(self, c: str, start: int, end: int) -> int:
        if c in ",;:! >":
            return end  # spacing
        if c == "\\":
            if any(k == "env" for k, _, _ in self.stack):
                m = re.compile(r"\*?(?:\s*\[[^\]\n]{0,40}\])?").match(self.text, end)
                e = m.end() if m else end
                self._emit("ROWSEP", "\\\\", start, e)
                return e
            return end
        if c == "|":
            self._delimiter("\\|", start, end, "")
        elif c in "{}":
            self._delimiter("\\" + c, start, end, "")
        elif c in "#%&_$":
            self._emit("SYMBOL", "\\" + c, start, end)
        else:
            self._emit("OPAQUE", "\\" + c, start, end)
        return end

    def _opaque(self, tok: str, start: int, end: int) -> int:
        """An unknown command: one opaque token with an optional ``[…]`` written right after
        it (``\\draw[->]``) and its braced arguments (up to three)."""
        pos = end
        if self.text.startswith("[", pos):
            close = balanced_group(self.text, pos, "[", "]")
            if close is not None and close - pos <= 200:
                pos = close
        for _ in range(3):
            b = self._braced(pos)
            if b is None:
                break
            pos = b[2]
        self._emit("OPAQUE", self.text[start:pos], start, pos)
        return pos

    def _environment(self, which: str, start: int, end: int) -> int:
        text = self.text
        m = _ENV.match(text, end)
        if m is None:
            raise LexError(f"\\{which} without an environment name", start, end)
        env = m.group(1).strip()
        stop = m.end()
        top_level = not self.stack
        if which == "begin":
            if env in ROW_ENVIRONMENTS and top_level:
                if env.startswith(("alignat", "alignedat")):
                    arg = self._braced(stop)
                    stop = arg[2] if arg else stop
                return stop  # transparent at the top of a row
            if env in MATRIX_ENVIRONMENTS or env in ROW_ENVIRONMENTS:
                if env in ("array", "subarray") or env.startswith(("alignat", "alignedat")):
                    opt = re.compile(r"\s*\[[^\]]*\]").match(text, stop)
                    if opt:
                        stop = opt.end()
                    arg = self._braced(stop)
                    stop = arg[2] if arg else stop
                self.stack.append(("env", env, start))
                self._emit("BEGIN", env, start, stop)
                return stop
            # unknown environment: opaque up to its \end
            close = text.find("\\end{" + env + "}", stop)
            if close < 0:
                raise LexError(f"unclosed \\begin{{{env}}}", start, stop)
            e = close + len("\\end{" + env + "}")
            self._emit("OPAQUE", text[start:e], start, e)
            return e
        # \end
        if self.stack and self.stack[-1][0] == "env" and self.stack[-1][1] == env:
            self.stack.pop()
            self._emit("END", env, start, stop)
            return stop
        if env in ROW_ENVIRONMENTS and top_level:
            return stop
        if self.stack and self.stack[-1][0] != "env":
            k, v, at = self.stack[-1]
            raise LexError(
                f"unclosed {'brace {' if k == '{' else v} before \\end{{{env}}}", at, at + len(v)
            )
        raise LexError(f"\\end{{{env}}} without a matching \\begin", start, stop)


def tokenize(text: str, *, bars_as_relations: bool = False) -> Iterator[Token]:
    return iter(Lexer(text, bars_as_relations=bars_as_relations).tokenize())
