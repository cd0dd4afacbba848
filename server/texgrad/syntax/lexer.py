r"""A TeX tokenizer for math, feeding the grammar's LALR parser.

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
tree builder computes source ranges.  What each command is comes from the command table
(:mod:`texgrad.syntax.commands`): a token kind emitted as it is, or a handler here that
reads the command's arguments.  :func:`texgrad.syntax.tokens.normalized` then tidies
the row's operator runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from texgrad.reading.macros import balanced_group
from texgrad.reading.regions import ROW_ENVIRONMENTS
from texgrad.syntax.commands import (
    CHARACTERS,
    CLOSE_DELIMITERS,
    COMMANDS,
    FONT_ALIASES,
    MATRIX_ENVIRONMENTS,
    OPEN_DELIMITERS,
    OPERATOR_NAMES_IN_TEXT,
    RELATIONS,
    SKIP_WITH_ARGS,
    SYMBOLS,
    TEXT_FONTS,
)
from texgrad.syntax.tokens import (
    ENDS_OPERAND,
    NO_LEFT_OPERAND,
    NO_RIGHT_OPERAND,
    Token,
    make_token,
    normalized,
    retyped,
)


class LexError(Exception):
    """A lexical error at text[start:end] (unbalanced braces, a stray \\right …)."""

    def __init__(self, message: str, start: int, end: int):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end


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
_BOOKDOWN_LABEL = re.compile(r"\(\\#[A-Za-z][\w:.\-]*\)")  # (\#eq:ridge), R Markdown's label
_SINGLE_ARGUMENT = re.compile(
    r"\s*\{\s*([A-Za-z0-9]|\\[A-Za-z]+)\s*\}|[ \t]*([A-Za-z])(?![A-Za-z])"
)
_BRACED_SINGLE = re.compile(r"[ \t]*\{\s*([A-Za-z0-9])\s*\}")
_ENV = re.compile(r"\s*\{([^{}]*)\}")
_DELIM_AFTER_LEFT = re.compile(r"\s*(\\[A-Za-z]+|\\[{}|.]|\\\||[()\[\]|./<>])")
_OPTIONAL = re.compile(r"\s*\[[^\]]*\]")
_LENGTH = re.compile(r"\s*-?[\d.]+\s*[a-z]{2}")  # \kern 3mu
_ARG_MAX_MIN = re.compile(r"\s*\\(max|min)(?![A-Za-z])")
_NEGATED = re.compile(r"\s*(\\[A-Za-z]+|[=<>])")
# a parenthesis next: ``\operatorname{d}(…)`` may be a differential or a function ``d``
_PAREN_NEXT = re.compile(r"\s*(?:\(|\\left\s*\(|\\[bB]igg?l?\s*\()")
_THIN_SPACES = re.compile(r"\\[,;:! ]|\s")
_SECOND_THICK_SPACE = re.compile(r"\s*\\[;:>]")  # `A \;\; B`: two thick spaces, a \quad's width
_BRACKETS = ("bare", "left")  # what the stack holds inside ( ), [ ], \big[ \big], \left( \right)
# Operator names Boyd and Vandenberghe set in bold (``\mathbf{tr}``, ``\mathbf{diag}``): a
# function there, never a product of bold letters
_BOLD_OPERATORS = frozenset(
    {"tr", "Tr", "trace", "diag", "Diag", "rank", "det", "dom", "vec", "card", "prob", "sign"}
)
# an operator's name set in a font: ``\bf Tr`` (plain TeX's switch), ``\mathrm{tr}``
_FONT_SWITCHED = re.compile(
    r"\s*(?:\\(?:rm|bf|sf|it)\s+([A-Za-z]{2,})|\\(?:math|text)(?:rm|bf|sf|it)\s*\{\s*([A-Za-z]{2,})\s*\})\s*"
)
# the trace by its German name (``\operatorname{Spur}``, ``\mathrm{Spur}``): read as ``tr``
_SPELLED_OTHERWISE = {"Spur": "tr"}
_OPERATOR_NAME = re.compile(r"[A-Za-z]+(?:\\[,;:!])?[A-Za-z]*|[A-Za-z\-]+")
_COMMAND = re.compile(r"\\(?:[A-Za-z@]+|.)")
_ROW_END = re.compile(r"\*?(?:\s*\[[^\]\n]{0,40}\])?")  # \\*, \\[2pt]
# How \left and \right spell a delimiter the grammar knows by one name.
_SAME_DELIMITER = {"\\lVert": "\\|", "\\rVert": "\\|", "\\Vert": "\\|", "\\lvert": "|", "\\rvert": "|",
                   "\\vert": "|", "\\lgroup": "(", "\\rgroup": ")"}  # fmt: skip


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
        self.overs: list[int] = []  # where a `\\over` not yet read as a fraction is in tokens
        # a negative thin space glued to an operand (`\\sigma\\!\\left(`): (its start, its end)
        self.tight: tuple[int, int] | None = None

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
        if self.overs:
            self._over_row()
        self.tokens, self.trailing = normalized(self.tokens)
        return self.tokens

    # -- helpers --------------------------------------------------------------
    def _emit(self, type_: str, value: str, start: int, end: int) -> None:
        prev = self.tokens[-1] if self.tokens else None
        prev_type = prev.type if prev is not None else None
        if type_ == "MULOP" and prev_type in NO_LEFT_OPERAND:
            type_ = "SYMBOL"  # an operator named, not applied: \phi(\cdot), a^{\otimes 3}
        elif type_ in NO_RIGHT_OPERAND and prev_type == "MULOP" and prev is not None:
            self.tokens[-1] = retyped(prev, "SYMBOL")  # named, not applied: (a \cdot)
        elif (
            type_ in ("SUB", "SUP")
            and prev_type in NO_LEFT_OPERAND
            and prev_type not in ("SUB", "SUP")
        ):
            # a script with nothing to attach to: {}_a, $_0$
            self.tokens.append(make_token("OPAQUE", "", start, start))
        self.tokens.append(make_token(type_, value, start, end))

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
                m = _COMMAND.match(text, pos)
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
        if value in ("(", "\\left(") and self.tight is not None and self.tight[1] == start:
            start = self.tight[0]  # `f\!(x)`: the bracket written right after the name, f(x)
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
            side != "l" and bool(self.stack) and self.stack[-1][0] == kind and prev in ENDS_OPERAND
        )
        if closing:
            self._close((kind,), value, start, end)
        else:
            self._open(kind, value, start, end)

    def _evaluation_bar(self, end: int) -> int | None:
        """Where reading goes on after an evaluation bar, ``\\frac{\\partial f}{\\partial x}\\Big|_{x_0}``
        (a bar right after an operand, with no bar open, and a subscript): the bar and its
        scripts say where the operand is taken and leave its shape alone, so they are skipped.
        None if the bar at ``end`` is no evaluation bar."""
        if self._prev_type() not in ENDS_OPERAND or any(k == "bar" for k, _, _ in self.stack):
            return None
        text = self.text
        pos = _SPACE.match(text, end).end()  # type: ignore[union-attr]
        if not text.startswith("_", pos):
            return None
        for script in "_^":
            if not text.startswith(script, pos):
                continue
            p = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
            if text.startswith("{", p):
                close = balanced_group(text, p)
                if close is None:
                    return None
                pos = close
            else:
                m = _COMMAND.match(text, p)
                pos = m.end() if m else p + 1
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        return pos

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
        elif name in OPEN_DELIMITERS or tok == "\\{":
            self._open("bare", OPEN_DELIMITERS.get(name, "\\{"), start, end)
        elif name in CLOSE_DELIMITERS or tok == "\\}":
            self._close(("bare",), CLOSE_DELIMITERS.get(name, "\\}"), start, end)
        elif tok in ("/", "\\backslash"):
            self._emit("MULOP", "/", start, end)
        else:
            self._emit("OPAQUE", self.text[start:end], start, end)

    # -- characters -------------------------------------------------------------
    def _char(self, c: str, start: int, end: int) -> int:
        """A character that is no letter, digit, space or command; returns where reading goes on."""
        plain = CHARACTERS.get(c)
        if plain is not None:
            self._emit(plain[0], plain[1], start, end)
        elif c == "{":
            self.stack.append(("{", "{", start))
            self._emit("LBRACE", "{", start, end)
        elif c == "}":
            self._close_brace(start, end)
        elif c == "]" and self.stack and self.stack[-1][0] == "opt":
            self.stack.pop()
            self._emit("OPTCLOSE", "]", start, end)
        elif c in "()[]|":
            if c == "(" and self.text.startswith("(\\#", start):
                label = _BOOKDOWN_LABEL.match(self.text, start)
                if label is not None:  # bookdown's equation label (\#eq:ridge): no math
                    return label.end()
            after = self._evaluation_bar(end) if c == "|" else None
            if after is not None:
                return after
            self._delimiter(c, start, end, "")
        elif c == ":":
            if self.text.startswith("=", end):
                self._emit("REL", ":=", start, end + 1)
                return end + 1
            self._emit("REL", ":", start, end)
        elif c in "^_":
            self._mark_args(end, 1)
            self._emit("SUP" if c == "^" else "SUB", c, start, end)
            return self._single_argument(end)
        elif c == "&":
            env = next((v for k, v, _ in reversed(self.stack) if k == "env"), None)
            if env is not None and env not in ROW_ENVIRONMENTS:  # in aligned, & is only alignment
                self._emit("AMP", "&", start, end)
        else:
            self._emit("LETTER" if c.isalpha() else "OPAQUE", c, start, end)
        return end

    def _close_brace(self, start: int, end: int) -> None:
        if not self.stack or self.stack[-1][0] != "{":
            if self.stack and self.stack[-1][0] in ("left", "env"):
                k, v, at = self.stack[-1]
                message = f"unclosed {v}" if k == "left" else f"unclosed \\begin{{{v}}}"
                raise LexError(message, at, at + len(v))
            raise LexError("unbalanced closing brace }", start, end)
        self.stack.pop()
        if self.overs:
            self._over_group()
        self._emit("RBRACE", "}", start, end)

    # -- `{a \\over b}`: TeX's primitive fraction, the whole group over and under it -------------
    def _over(self, name: str, start: int, end: int) -> int:
        self._emit("OPAQUE", "\\" + name, start, end)  # as before, should it stay unread
        self.overs.append(len(self.tokens) - 1)
        return end

    def _over_group(self) -> None:
        """The brace group closing now holds a `\\over`: its tokens become `\\frac{…}{…}`."""
        tokens = self.tokens
        depth = 0
        g = len(tokens) - 1
        while g >= 0:
            kind = tokens[g].type
            if kind == "RBRACE":
                depth += 1
            elif kind == "LBRACE":
                if depth == 0:
                    break
                depth -= 1
            g -= 1
        inside = [k for k in self.overs if k > g]
        if g < 0 or not inside:
            return
        self.overs = [k for k in self.overs if k < g]
        if len(inside) == 1:  # two in one group: TeX's "Ambiguous; you need another { and }"
            self._fold_over(g, inside[0])

    def _over_row(self) -> None:
        """A `\\over` outside any group (`$a \\over b$`) makes the whole row a fraction, when
        the row is one expression (no relation, no `&` or comma, not inside brackets)."""
        if len(self.overs) != 1:
            return
        k = self.overs[0]
        depth = 0
        for j, tok in enumerate(self.tokens):
            if tok.type in _OPENERS:
                depth += 1
            elif tok.type in _CLOSERS:
                depth -= 1
            elif depth == 0 and tok.type in ("REL", "AMP", "COMMA"):
                return
            elif j == k and depth != 0:
                return
        end = self.tokens[-1].end_pos or 0
        self._fold_over(-1, k)
        self.tokens.append(make_token("RBRACE", "}", end, end))

    def _fold_over(self, group: int, over: int) -> None:
        """The tokens after ``group`` (the index of the group's ``{``; -1: the row's start) up
        to ``over`` over those after it, as `\\frac{…}{…}` (the denominator's group is closed
        by the caller)."""
        tokens = self.tokens
        if group >= 0:
            begin = tokens[group].start_pos or 0
            head = [make_token("FRAC", "over", begin, begin), tokens[group]]
        else:
            begin = tokens[0].start_pos or 0
            head = [
                make_token("FRAC", "over", begin, begin),
                make_token("LBRACE", "{", begin, begin),
            ]
        a, b = tokens[over].start_pos or 0, tokens[over].end_pos or 0
        middle = [make_token("RBRACE", "}", a, a), make_token("LBRACE", "{", b, b)]
        self.tokens = [
            *tokens[: max(group, 0)],
            *head,
            *tokens[group + 1 : over],
            *middle,
            *tokens[over + 1 :],
        ]

    # -- control sequences: dispatched through the command table -------------------------------
    def _control(self, tok: str, start: int, end: int) -> int:
        """A control sequence ``tok`` at ``start:end``; returns where reading goes on."""
        name = tok[1:]
        if len(name) == 1 and not name.isalpha():
            return self._control_symbol(name, start, end)
        kind = COMMANDS.get(name)
        if kind is None:
            return self._opaque(tok, start, end)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return handler(self, name, start, end)
        self._emit(kind, name if kind == "FUNC" else tok, start, end)
        return end

    def _wide_space(self, name: str, start: int, end: int) -> int:
        # a wide space after an operand separates statements: A = [...] \qquad C = [...]
        if self._prev_type() in ENDS_OPERAND:
            self._emit("SEP", "\\" + name, start, end)
        return end

    def _skip(self, name: str, start: int, end: int) -> int:
        return end

    def _skip_arguments(self, name: str, start: int, end: int) -> int:
        pos = end
        opt = _OPTIONAL.match(self.text, pos)
        if opt and name in ("raisebox", "scalebox"):
            pos = opt.end()
        for _ in range(SKIP_WITH_ARGS[name]):
            b = self._braced(pos)
            if b is None:
                break
            pos = b[2]
        if name in ("kern", "mkern"):
            m = _LENGTH.match(self.text, pos)
            pos = m.end() if m else pos
        return pos

    def _left_right(self, name: str, start: int, end: int) -> int:
        m = _DELIM_AFTER_LEFT.match(self.text, end)
        if m is None:
            raise LexError(f"\\{name} without a delimiter", start, end)
        d = m.group(1)
        value = d if d not in ("\\lbrace", "\\rbrace") else ("\\{" if name == "left" else "\\}")
        value = _SAME_DELIMITER.get(value, value)
        if name == "left":
            self._open("left", "\\left" + value, start, m.end())
        else:
            if not self.stack or self.stack[-1][0] != "left":
                raise LexError(f"\\right{value} without a matching \\left", start, m.end())
            self._close(("left",), "\\right" + value, start, m.end())
        return m.end()

    def _sized(self, name: str, start: int, end: int) -> int:
        m = _DELIM_AFTER_LEFT.match(self.text, end)
        if m is None:
            return end
        side = name[-1] if name[-1] in "lrm" else ""
        if side == "m":
            self._emit("REL", "\\mid", start, m.end())
        elif (
            m.group(1) in ("|", "\\vert") and not side and (after := self._evaluation_bar(m.end()))
        ):
            return after
        else:
            self._delimiter(m.group(1), start, m.end(), side)
        return m.end()

    def _delimiter_command(self, name: str, start: int, end: int) -> int:
        self._delimiter("\\" + name, start, end, "")
        return end

    def _text(self, name: str, start: int, end: int) -> int:
        text = self.text
        b = self._braced(end)
        if b is None:
            self._emit("OPAQUE", "\\" + name, start, end)
            return end
        content = text[b[0] + 1 : b[1]].strip()
        if content in OPERATOR_NAMES_IN_TEXT and content.isalpha() and len(content) > 1:
            self._emit("FUNC", content, start, b[2])
        elif name in TEXT_FONTS and len(content) == 1 and content.isalpha():
            # \textbf{a}^T\textbf{B}: a bold letter, as \mathbf{a} would be
            self._emit("FSYMBOL", TEXT_FONTS[name] + ":" + content, start, b[2])
        else:
            self._emit("TEXT", text[start : b[2]], start, b[2])
        return b[2]

    def _operatorname(self, name: str, start: int, end: int) -> int:
        b = self._braced(end)
        if b is None:
            return self._opaque("\\" + name, start, end)
        raw = self.text[b[0] + 1 : b[1]]
        upright = _FONT_SWITCHED.fullmatch(raw)  # \mathop{\bf Tr}, \mathop{\mathrm{tr}}
        content = _THIN_SPACES.sub("", upright[1] or upright[2] if upright else raw)
        if content == "d":  # \operatorname{d}X: a differential, as \mathrm{d}X …
            if _PAREN_NEXT.match(self.text, b[2]):  # … \operatorname{d}(X^{-1}) as \mathrm d(…)
                self._emit("FSYMBOL", "mathrm:d", start, b[2])  # (or a function d(x, y))
            else:
                self._emit("DIFF", "d", start, b[2])
            return b[2]
        if _OPERATOR_NAME.fullmatch(content):
            name = content.replace("-", "")
            self._emit("FUNC", _SPELLED_OTHERWISE.get(name, name), start, b[2])
            return b[2]
        self._emit("FONT", "mathrm", start, end)  # \mathop{\arg\min}: read the argument
        return end

    def _mathrm(self, name: str, start: int, end: int) -> int:
        b = self._braced(end)
        if b is not None:
            content = _THIN_SPACES.sub("", self.text[b[0] + 1 : b[1]])
            if content == "d":
                self._emit("DIFF", "d", start, b[2])
                return b[2]
            if len(content) > 1 and content.isalpha():
                self._emit("FUNC", _SPELLED_OTHERWISE.get(content, content), start, b[2])
                return b[2]
        return self._font(name, start, end)

    def _math_class(self, name: str, start: int, end: int) -> int:
        b = self._braced(end)
        if b is not None and name in ("mathbin", "mathrel"):
            self._emit(
                "MULOP" if name == "mathbin" else "REL", self.text[start : b[2]], start, b[2]
            )
            return b[2]
        return end  # the argument is read as a group

    def _arg(self, name: str, start: int, end: int) -> int:
        m = _ARG_MAX_MIN.match(self.text, end)
        if m:
            self._emit("FUNC", "arg" + m.group(1), start, m.end())
            return m.end()
        self._emit("FUNC", name, start, end)
        return end

    def _font(self, name: str, start: int, end: int) -> int:
        name = FONT_ALIASES.get(name, name)
        if name == "mathbf":
            b = self._braced(end)
            if b is not None and self.text[b[0] + 1 : b[1]].strip() in _BOLD_OPERATORS:
                # \mathbf{tr}(X), \mathbf{dom}\, f: Boyd and Vandenberghe's bold operator names
                self._emit("FUNC", self.text[b[0] + 1 : b[1]].strip(), start, b[2])
                return b[2]
        m = _SINGLE_ARGUMENT.match(self.text, end)
        inner = m.group(1) or m.group(2) if m else None
        if m and inner and (not inner.startswith("\\") or inner[1:] in SYMBOLS):
            # \mathbf{A}, \mathbb R: one token, the commonest thing in papers
            self._emit("FSYMBOL", name + ":" + inner, start, m.end())
            return m.end()
        self._mark_args(end, 1)
        self._emit("FONT", name, start, end)
        return end

    def _accent(self, name: str, start: int, end: int) -> int:
        self._mark_args(end, 1)
        self._emit("ACCENT", name, start, end)
        return end

    def _frac(self, name: str, start: int, end: int) -> int:
        self._mark_args(end, 2)
        self._emit("FRAC", name, start, end)
        return end

    def _binom(self, name: str, start: int, end: int) -> int:
        self._mark_args(end, 2)
        self._emit("BINOM", name, start, end)
        return end

    def _sqrt(self, name: str, start: int, end: int) -> int:
        text = self.text
        p = _SPACE.match(text, end).end()  # type: ignore[union-attr]
        self._emit("SQRT", name, start, end)
        if p < len(text) and text[p] == "[":
            self.stack.append(("opt", "[", p))
            self._emit("OPTOPEN", "[", p, p + 1)
            return p + 1
        self._mark_args(end, 1)
        return end

    def _overset(self, name: str, start: int, end: int) -> int:
        b1 = self._braced(end)
        b2 = self._braced(b1[2]) if b1 else None
        if b1 and b2:
            inner = self.text[b2[0] + 1 : b2[1]].strip()
            if inner in ("=", "<", ">", ":=") or (
                inner.startswith("\\") and inner[1:] in RELATIONS
            ):
                self._emit("REL", self.text[start : b2[2]], start, b2[2])
                return b2[2]
        self._emit("OVERSET", name, start, end)
        return end

    def _arrow(self, name: str, start: int, end: int) -> int:
        p = end
        opt = _OPTIONAL.match(self.text, p)
        if opt:
            p = opt.end()
        b = self._braced(p)
        p = b[2] if b else p
        self._emit("REL", self.text[start:p], start, p)
        return p

    def _not(self, name: str, start: int, end: int) -> int:
        m = _NEGATED.match(self.text, end)
        if m:
            self._emit("REL", "\\not" + m.group(1), start, m.end())
            return m.end()
        return self._opaque("\\" + name, start, end)

    def _control_symbol(self, c: str, start: int, end: int) -> int:
        if c == "!" and (
            (self.tokens and self.tokens[-1].end_pos == start)
            or (self.tight is not None and self.tight[1] == start)
        ):
            self.tight = (self.tight[0] if self.tight and self.tight[1] == start else start, end)
        if c in ",;:! >":
            if c in ";:>" and self.stack and self.stack[-1][0] in _BRACKETS:
                m = _SECOND_THICK_SPACE.match(self.text, end)
                # in brackets, a doubled thick space separates like \quad: `[H_1 \;\; H_2 \;\; \cdots]`
                if m and self._prev_type() in ENDS_OPERAND:
                    self._emit("SEP", self.text[start : m.end()], start, m.end())
                    return m.end()
            return end  # spacing
        if c == "\\":
            if any(k == "env" for k, _, _ in self.stack):
                m = _ROW_END.match(self.text, end)
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
                    opt = _OPTIONAL.match(text, stop)
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


_OPENERS = frozenset(("LBRACE", "OPEN", "BEGIN", "OPTOPEN"))
_CLOSERS = frozenset(("RBRACE", "CLOSE", "END", "OPTCLOSE"))

# The lexer's handler for each lowercase class of the command table.
_HANDLERS: dict[str, Callable[[Lexer, str, int, int], int]] = {
    "wide_space": Lexer._wide_space,
    "skip": Lexer._skip,
    "skip_arguments": Lexer._skip_arguments,
    "left_right": Lexer._left_right,
    "sized": Lexer._sized,
    "delimiter": Lexer._delimiter_command,
    "environment": Lexer._environment,
    "text": Lexer._text,
    "operatorname": Lexer._operatorname,
    "mathrm": Lexer._mathrm,
    "math_class": Lexer._math_class,
    "arg": Lexer._arg,
    "font": Lexer._font,
    "accent": Lexer._accent,
    "frac": Lexer._frac,
    "binom": Lexer._binom,
    "sqrt": Lexer._sqrt,
    "overset": Lexer._overset,
    "arrow": Lexer._arrow,
    "not": Lexer._not,
    "over": Lexer._over,
}
