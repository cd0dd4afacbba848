r"""Drive the grammar's LALR(1) tables in a tight loop, without Lark at run time.

Lark compiles ``grammar/math.lark`` into parse tables; its own loop then spends most of a
row's parse in Python calls per reduction (a wrapper per rule, ``Rule`` objects hashed to
find the callback, terminal names compared as ``Token`` objects).  The tables are plain
data, so texgrad ships them beside the grammar (``grammar/math.tables.json``, written by
``python -m texgrad.syntax.lalr``; read in a millisecond) and runs them here with Lark's semantics for
``maybe_placeholders=False``:

- a rule's value is the builder's method named by the rule's alias or name, called with
  the children;
- a ``?rule`` without alias whose children are one value *is* that value (a unit
  reduction: the loop only changes state);
- the helper rules Lark makes for ``( … )*`` (named with ``_``) are spliced into the rule
  that uses them.

If the grammar file no longer matches the generated tables (it was edited and the tables
not regenerated) the tables are built from the grammar with Lark, once per process, so a
parse is never made with stale tables.  ``tests/syntax/test_lalr.py`` holds the generated
file to the grammar and this loop to Lark's own parser on the corpus.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# (hashlib, logging and importlib.resources are imported where used: ~5 ms of a one-shot
# command's start, issue 17 — the package's folder is found as Python's import finds it)

END = "$END"

# A rule: (children, the nonterminal it makes, the builder method's name, unit reduction?,
# positions of helper rules spliced in, is itself a helper rule?, a ?rule: one child left
# after splicing is the value?)
Rule = tuple[int, str, str, bool, tuple[int, ...], bool, bool]
# A state's actions by terminal or nonterminal: a state to shift to (int) or a rule's index
# to reduce by (a one-element tuple: (index,)).
Action = int | tuple[int]


@dataclass(frozen=True)
class Tables:
    grammar_sha256: str
    start: int
    end: int
    rules: tuple[Rule, ...]
    states: tuple[dict[str, Action], ...]


class ParseFailure(Exception):
    """No action for ``token`` (None: the row ended) in the state reached; ``expected``
    names the terminals that had one."""

    def __init__(self, token: Any, expected: frozenset[str]) -> None:
        super().__init__(token)
        self.token = token
        self.expected = expected


TABLES_FILE = "math.tables.json"


def grammar_folder() -> Path:
    """The folder of the package ``texgrad.grammar`` (the grammar and its tables), however
    texgrad is installed (``grammar/`` of the repository in an editable install)."""
    import texgrad.grammar

    return Path(next(iter(texgrad.grammar.__path__)))


def grammar_text() -> str:
    return (grammar_folder() / "math.lark").read_text(encoding="utf-8")


def _shipped_text() -> str:
    return (grammar_folder() / TABLES_FILE).read_text(encoding="utf-8")


def grammar_sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _warn(message: str, *args: object) -> None:
    import logging

    logging.getLogger(__name__).warning(message, *args)


_tables: Tables | None = None


def tables() -> Tables:
    """The grammar's tables: those shipped beside it if they were made from this grammar,
    else built from the grammar with Lark (once per process)."""
    global _tables
    if _tables is None:
        text = grammar_text()
        shipped = shipped_tables()
        if shipped is not None and shipped.grammar_sha256 == grammar_sha256(text):
            _tables = shipped
        else:
            if shipped is not None:
                _warn(
                    "grammar/math.lark changed since %s was generated: building the tables "
                    "with Lark (regenerate: python -m texgrad.syntax.lalr)",
                    TABLES_FILE,
                )
            _tables = tables_from_grammar(text)
    return _tables


def shipped_tables() -> Tables | None:
    """The tables of grammar/math.tables.json (None if it is missing, unreadable or does not
    hold together: the loop then never meets a state or rule that is not there)."""
    try:
        data = json.loads(_shipped_text())
        tables = Tables(
            data["grammar_sha256"],
            data["start"],
            data["end"],
            tuple((*r[:4], tuple(r[4]), *r[5:]) for r in data["rules"]),
            tuple(
                {k: (v if v.__class__ is int else (v[0],)) for k, v in s.items()}
                for s in data["states"]
            ),
        )
        _hold_together(tables)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
        _warn("cannot read %s (%s): building the tables with Lark", TABLES_FILE, e)
        return None
    return tables


def _hold_together(tables: Tables) -> None:
    """Raise ValueError unless every state and rule the tables name is there."""
    n, m = len(tables.states), len(tables.rules)
    if not (0 <= tables.start < n and 0 <= tables.end < n):
        raise ValueError("start or end state out of range")
    for r in tables.rules:
        if len(r) != 7 or not (isinstance(r[0], int) and isinstance(r[1], str)):
            raise ValueError(f"a malformed rule {r!r}")
    for state in tables.states:
        for action in state.values():
            if action.__class__ is int:
                if not 0 <= action < n:
                    raise ValueError(f"no state {action}")
            elif not (isinstance(action, tuple) and 0 <= action[0] < m):
                raise ValueError(f"no rule {action!r}")


def tables_from_grammar(text: str) -> Tables:
    """Compile the grammar with Lark and keep its tables as plain data."""
    lark = build_lark(text)
    from lark.parsers.lalr_analysis import Shift

    table = lark.parser.parser.parser.parse_table
    # Lark numbers states and meets rules in an order that varies with string hashing:
    # rules are numbered in the grammar's order, states in the order a walk from the start
    # state over sorted symbols reaches them, so that the generated file is reproducible.
    rule_number = {id(rule): i for i, rule in enumerate(lark.rules)}
    order = [table.start_states["start"]]
    number = {order[0]: 0}
    for state in order:  # (grows while walked)
        for _, (action, arg) in sorted(table.states[state].items(), key=lambda kv: str(kv[0])):
            if action is Shift and arg not in number:
                number[arg] = len(order)
                order.append(arg)
    for state in sorted(table.states):  # unreachable states, if any
        if state not in number:
            number[state] = len(order)
            order.append(state)

    def rule_of(rule: Any) -> Rule:
        expansion = rule.expansion
        if any(s.is_term and s.filter_out for s in expansion):
            raise ValueError(f"{rule}: an anonymous token, which this loop does not filter")
        # Lark splices a nonterminal named with `_` (its helper rules) into the rule using it
        splice = tuple(
            i for i, s in enumerate(expansion) if not s.is_term and s.name.startswith("_")
        )
        name = str(rule.alias or rule.options.template_source or rule.origin.name)
        expand1 = bool(rule.options.expand1 and not rule.alias)
        unit = expand1 and len(expansion) == 1 and not splice
        helper = str(rule.origin.name).startswith("_")
        return (len(expansion), str(rule.origin.name), name, unit, splice, helper, expand1)

    states = tuple(
        {
            str(k): (number[arg] if action is Shift else (rule_number[id(arg)],))
            for k, (action, arg) in sorted(table.states[state].items(), key=lambda kv: str(kv[0]))
        }
        for state in order
    )
    return Tables(
        grammar_sha256(text),
        number[table.start_states["start"]],
        number[table.end_states["start"]],
        tuple(rule_of(rule) for rule in lark.rules),
        states,
    )


def build_lark(text: str, transformer: Any = None) -> Any:
    """Lark's LALR parser of the grammar, reading texgrad's tokens as given (tests use it as
    the reference this loop must agree with)."""
    from lark import Lark
    from lark.lexer import Lexer as LarkLexer

    class _Given(LarkLexer):
        def __init__(self, lexer_conf: Any) -> None:
            pass

        def lex(self, tokens: Any) -> Any:  # type: ignore[override]
            return iter(getattr(tokens, "text", tokens))

    return Lark(
        text,
        parser="lalr",
        lexer=_Given,
        transformer=transformer,
        maybe_placeholders=False,
    )


def run(tables: Tables, tokens: Sequence[Any], methods: Methods) -> Any:
    """The value of the start rule over ``tokens`` (each with a ``type``), reducing with
    ``methods`` (:func:`methods_of`); raises :class:`ParseFailure`."""
    states = tables.states
    rules = tables.rules
    stack = [tables.start]
    values: list[Any] = []
    push = stack.append
    keep = values.append
    for tok in tokens:
        ty = tok.type
        while True:
            act = states[stack[-1]].get(ty)
            if act.__class__ is int:
                push(act)
                keep(tok)
                break
            if act is None:
                raise ParseFailure(tok, _expected(states[stack[-1]]))
            r = act[0]  # type: ignore[index]
            rule = rules[r]
            if rule[3]:  # a unit reduction: the value stays, only the state changes
                stack[-1] = states[stack[-2]][rule[1]]  # type: ignore[assignment]
                continue
            keep(_reduce(rule, methods[r], stack, values))
            push(states[stack[-1]][rule[1]])  # type: ignore[arg-type]
    end = tables.end
    while True:
        act = states[stack[-1]].get(END)
        if act is None or act.__class__ is int:
            raise ParseFailure(None, _expected(states[stack[-1]]))
        r = act[0]  # type: ignore[index]
        rule = rules[r]
        if rule[3]:
            stack[-1] = states[stack[-2]][rule[1]]  # type: ignore[assignment]
        else:
            keep(_reduce(rule, methods[r], stack, values))
            push(states[stack[-1]][rule[1]])  # type: ignore[arg-type]
        if stack[-1] == end:
            return values[-1]


def _reduce(
    rule: Rule, method: Callable[[list[Any]], Any] | None, stack: list[int], values: list[Any]
) -> Any:
    size, _, _, _, splice, helper, expand1 = rule
    if size:
        children = values[-size:]
        del stack[-size:]
        del values[-size:]
    else:
        children = []
    if splice:
        spliced: list[Any] = []
        for i, c in enumerate(children):
            if i in splice:
                spliced.extend(c)
            else:
                spliced.append(c)
        children = spliced
    if helper or method is None:
        return children
    if expand1 and len(children) == 1:
        return children[0]
    return method(children)


Methods = list[Callable[[list[Any]], Any] | None]


def methods_of(tables: Tables, builder: Any) -> Methods:
    """The builder's method per rule, bound to ``builder``: given to :func:`run` (None for
    the helper rules, whose children are spliced into the rule using them, and for unit
    reductions, which keep their one child).  Every other rule needs a method."""
    return [None if r[5] or r[3] else getattr(builder, r[2]) for r in tables.rules]


def _expected(actions: dict[str, Action]) -> frozenset[str]:
    return frozenset(k for k in actions if k.isupper())


# -- generating grammar/math.tables.json ------------------------------------------------------------


def tables_json(tables: Tables) -> str:
    """The text of ``grammar/math.tables.json`` for these tables: one line per rule and state."""
    head = {"grammar_sha256": tables.grammar_sha256, "start": tables.start, "end": tables.end}
    lines = [json.dumps(head)[:-1] + ', "rules": [']
    lines += [
        json.dumps(r) + ("," if i < len(tables.rules) - 1 else "")
        for i, r in enumerate(tables.rules)
    ]
    lines += ['], "states": [']
    lines += [
        json.dumps(s) + ("," if i < len(tables.states) - 1 else "")
        for i, s in enumerate(tables.states)
    ]
    lines += ["]}", ""]
    return "\n".join(lines)


def main() -> int:
    out = grammar_folder() / TABLES_FILE
    out.write_text(tables_json(tables_from_grammar(grammar_text())), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
