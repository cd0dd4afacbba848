"""Text a hostile or unlucky author writes (issue 18): each input below once took time
that grew as the square of its length (or worse); each is now read in a bounded child
process, with its result checked."""

from __future__ import annotations

import random
import re

from tests.robustness.bounded import run_bounded
from texgrad.shapes.sections import Boundaries, _blank_fences

# the pattern code fences were found by: tried every shorter run of an opener never
# closed against the rest of the text (a line of 100,000 backticks: 17 s)
_OLD_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.M | re.S)


def _old_blank(text: str) -> str:
    return _OLD_FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def test_fences_are_blanked_as_the_pattern_blanked_them() -> None:
    pieces = ["`", "```", "````", "~~~", "~~~~", "\n", " ", "\t", "x", "\r", "# h\n", "py"]
    pieces += ["\n```\n", "\n~~~\n", "\n````\n", "\n  ```  \n"]
    rng = random.Random(18)
    blanked = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        assert _blank_fences(text) == _old_blank(text), repr(text)
        blanked += _blank_fences(text) != text
    assert blanked > 1_000  # (the cases hold fences)


def test_a_fence_closes_at_the_first_line_of_its_run_else_at_a_shorter_run() -> None:
    text = "a\n````py\n# not a heading\n```\n# in\n````\n# heading\n"
    out = _blank_fences(text)
    assert out.splitlines()[0] == "a" and out.splitlines()[6] == "# heading"
    assert out.splitlines()[2].strip() == "" and out.splitlines()[4].strip() == ""
    text = "````\n# a\n```\n# b\n"  # no line of four: the opener's three close at "```"
    assert _blank_fences(text).splitlines()[3] == "# b"
    assert _blank_fences(text).splitlines()[1].strip() == ""


def test_runs_of_backticks_never_closed_are_read_in_one_pass() -> None:
    """2 MB of backticks (one line, and lines of openers never closed): the sections of a
    Markdown page are found, none is a fence."""
    got, _ = run_bounded(
        """
        import json
        from texgrad.shapes.sections import Boundaries
        one = Boundaries.of("`" * 1_000_000 + "$x$\\n# Title\\n" + "~" * 1_000_000)
        many = Boundaries.of("```a\\n# h\\n" * 200_000)
        print(json.dumps([len(one.sections), len(many.sections)]))
        """,
        60,
    )
    assert got == [1, 200_000]
    assert len(Boundaries.of("```a\n# h\n" * 3).sections) == 3
    # (a run closes the fence a longer run opened: no heading between)
    assert Boundaries.of("`" * 1_000 + "$x$\n# Title\n" + "`" * 999).sections == []
