r"""A name the claim uses, defined twice before it: once in letters the function has not
(``P = \operatorname{diag}(u)K\operatorname{diag}(v)``) and once in the function's own ("i.e.
$P = \operatorname{diag}(e^{f/\varepsilon})K\operatorname{diag}(e^{g/\varepsilon})$"): the
claim on D(f, g) means the latter (hw-enumerate-sinkhorn-31, a false alarm on main)."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.written_derivatives import Finding, check_written
from texgrad.shapes.check import Checker

SINKHORN = r"""Let $a \in \mathbb{R}^m$, $b \in \mathbb{R}^n$, $K \in \mathbb{R}^{m \times n}$, $f \in \mathbb{R}^m$, $g \in \mathbb{R}^n$ and $\varepsilon > 0$.
Stationarity gives $P = \operatorname{diag}(e^{f/\varepsilon})\,K\,\operatorname{diag}(e^{g/\varepsilon})$.

Scaling vectors $u \in \mathbb{R}^m$, $v \in \mathbb{R}^n$ write it $P = \operatorname{diag}(u)\,K\,\operatorname{diag}(v)$.

The dual is $D(f, g) = f^\top a + g^\top b - \varepsilon\, (e^{f/\varepsilon})^\top K e^{g/\varepsilon}$, so
$\nabla_f D = a - P\mathbf{1}_n$ and $\nabla_g D = b - P^\top\mathbf{1}_m$, while $\nabla_f D = a + P\mathbf{1}_n$ is wrong.
"""


def _found(tmp_path: Path, text: str) -> dict[int, list[Finding]]:
    checked = Checker().check(str(tmp_path / "doc.md"), text=text)
    out: dict[int, list[Finding]] = {}
    for f in check_written(checked, seconds=120.0, only_findings=True):
        out.setdefault(text.count("\n", 0, f.start) + 1, []).append(f)
    return out


def test_the_definition_in_the_functions_letters_is_the_claims(tmp_path: Path) -> None:
    found = _found(tmp_path, SINKHORN)
    # only the last claim, the sign of P1_n turned
    assert [(line, len(fs)) for line, fs in found.items()] == [(7, 1)]
    assert SINKHORN[found[7][0].start :].startswith(r"a + P")
    # without the definition in f and g, P is diag(u)K diag(v) of letters of its own: the
    # claims in P are read with u, v fixed, as before (wrong)
    alone = SINKHORN.replace(
        r"Stationarity gives $P = \operatorname{diag}(e^{f/\varepsilon})\,K\,\operatorname{diag}(e^{g/\varepsilon})$.",
        "Stationarity gives the plan.",
    )
    assert [(line, len(fs)) for line, fs in _found(tmp_path, alone).items()] == [(7, 3)]
