r"""The issue-13 misses of set 27 made general rules: a state-space system's counts ("with $n$
states and $m$ inputs") size its state and input families, and a radius, a rate or a time
compared with a number either way (``r \ge 0``, ``t \ge 0``) is a number.  Each with a
planted error and a trap."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line


def test_the_counts_of_states_and_inputs_size_a_systems_families(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    The plant is $x_{k+1} = A x_k + B u_k$ with $n$ states and $m$ inputs, where
    $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times m}$ and $C \in \mathbb{R}^{p \times n}$.

    Right: $C x_0$, $A x_3 + B u_3$, $x_0^\top A x_0$. Wrong: $x_0^\top C$ and $u_0 B$.
    """
    assert codes_by_line(text, tmp_path) == [(4, "matmul-mismatch"), (4, "matmul-mismatch")]


def test_a_continuous_system_and_a_chain_with_a_transposed_matrix(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    The system $\dot x = A x + B u$ has $n$ states and $m$ inputs, with $A \in \mathbb{R}^{n \times n}$
    and $B \in \mathbb{R}^{n \times m}$. Right: $x^\top A x$. Wrong: $B x$.

    A chain with $K$ states moves as $\pi_{t+1} = P^\top \pi_t$, with $P \in \mathbb{R}^{K \times K}$.
    Right: $\pi_0^\top P$. Wrong: $P \pi_0^\top$.
    """
    assert codes_by_line(text, tmp_path) == [(2, "matmul-mismatch"), (5, "matmul-mismatch")]


def test_states_counted_without_a_system_declare_nothing(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    A chain with $K$ states; let $P \in \mathbb{R}^{K \times K}$ and write $P x_0^\top$ for a matrix $x_0$.

    A system with $n$ states, $x_{k+1} = f(x_k)$, is nonlinear, and $A \in \mathbb{R}^{n \times n}$ with $x_0 A$.
    """
    assert codes_by_line(text, tmp_path) == []


def test_two_systems_in_the_sentence_are_not_counted(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Both $x_{k+1} = A x_k$ and $z_{k+1} = D z_k$ have $n$ states, with $A \in \mathbb{R}^{n \times n}$.

    Then $x_0 A$ is not checked.
    """
    assert codes_by_line(text, tmp_path) == []


def test_a_rate_or_a_time_compared_either_way_is_a_number(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Let $v \in \mathbb{R}^{m}$ and $M \in \mathbb{R}^{m \times m}$, with a rate $r \ge 0$ and a time $t \geq 0$.

    Right: $r M v + t v$. Wrong: $r M v + v^\top$.
    """
    assert codes_by_line(text, tmp_path) == [(3, "add-mismatch")]


def test_a_slack_or_a_distribution_compared_loosely_stays_unknown(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Let $v \in \mathbb{R}^{m}$ and $M \in \mathbb{R}^{m \times m}$, with $s \ge 0$ and $q \ge 0$.

    Then $s M v + v^\top$ and $q M v + v^\top$ are not checked.
    """
    assert codes_by_line(text, tmp_path) == []


def test_an_apposition_of_sizes_pairs_them_in_order(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    The blocks $A$, $B$ and the coupling $C$, of sizes $p \times p$, $q \times q$ and $p \times q$, are given.

    Right: $A C B$ and $C^\top A C$. Wrong: $C A$.
    """
    assert codes_by_line(text, tmp_path) == [(3, "matmul-mismatch")]


def test_sizes_that_are_counts_or_fewer_than_the_letters_declare_nothing(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    With $G$ groups $X_1$, $X_2$, of sizes $n_1$ and $n_2$, and $A$, $B$, $C$, of sizes $p \times p$ and $q \times q$, we start.

    Then $X_1 X_2$ and $B C$ and $C A$ are not checked.
    """
    assert codes_by_line(text, tmp_path) == []


def test_a_property_said_of_two_letters_after_a_plural_noun_holds_for_both() -> None:
    from texgrad.shapes.check import Checker
    from texgrad.shapes.properties import stated_properties

    def said(text: str) -> list[tuple[str, bool]]:
        result = Checker().check("doc.md", text=text)
        rows = [r for r in result.rows if r.path == result.path]
        return sorted({(s.key, s.positive_definite) for s in stated_properties(text, rows)})

    kfac = r"We take $F \approx G \otimes A$ with the symmetric factors $A$ and $G$."
    assert said(kfac) == [("A", False), ("G", False)]
    two = r"Take two symmetric positive definite matrices $S$ and $T$."
    assert said(two) == [("S", True), ("T", True)]
    assert said(r"Take the symmetric parts $S$ and $T$ of $M$.") == []


def test_an_initial_value_said_so_has_its_letters_shape(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Let $S \in \mathbb{R}^{K \times K}$, $T \in \mathbb{R}^{K \times m}$ and $z \in \mathbb{R}^{K}$.

    We initialise $z^{(0)} = 0$ and $T^{(0)} = \mathbf{0}_{K \times m}$, which are fine; initialising $S^{(0)} = \mathbf{1}_K \mathbf{1}_m^\top$ is not.
    """
    assert codes_by_line(text, tmp_path) == [(3, "equation-mismatch")]


def test_an_initial_value_of_a_layered_family_or_unsaid_is_not_sized(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Let $W \in \mathbb{R}^{d \times d}$, the layers $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$ and $S \in \mathbb{R}^{K \times K}$.

    We initialise $W^{(0)} = \mathbf{0}_{n_0 \times p}$. The second round starts from $S^{(0)} = \mathbf{1}_K \mathbf{1}_m^\top$.
    """
    assert codes_by_line(text, tmp_path) == []
