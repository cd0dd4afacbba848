"""The floor of issue 17: find a document's math with a regex and parse it with a toy Lark
LALR grammar — what any Python checker built on Lark pays at least (run as a process by
benchmarks/parsing.py).

    python benchmarks/parsing_floor.py DOCUMENT
"""

from __future__ import annotations

import re
import sys

from lark import Lark
from lark.exceptions import LarkError

TOY = r"""
start: item*
?item: ATOM | OP | "{" item* "}" | "(" item* ")" | "[" item* "]"
ATOM: /\\[A-Za-z]+|[A-Za-z0-9.]/
OP: /[-+=<>,;:|!'^_&\/*]|\\[^A-Za-z]/
%ignore /\s+/
"""
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$]+)\$", re.S)


def main() -> int:
    toy = Lark(TOY, parser="lalr")
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    parsed = failed = 0
    for m in MATH.finditer(text):
        try:
            toy.parse(m.group(1) or m.group(2))
            parsed += 1
        except LarkError:
            failed += 1
    print(f"{parsed} formulas parsed, {failed} not")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
