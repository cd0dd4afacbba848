r"""Forms the set-19 documents (tests/documents/*-19) showed texgrad did not read: a size
said in words ("the $m$ by $n$ matrix $R$"), a signal of time and its samples (``h(t)``
and ``h_t``), a recurrence written in a later section, a sentence going on after a display
("…, since …"), and a membership said of another phrase's letter."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture, declaration, expected, found


@pytest.mark.parametrize(
    "said",
    [
        r"Let $R$ be an $m$ by $n$ ratings matrix",
        r"The ratings form the $m$ by $n$ matrix $R$",
        r"Write $R$ for the $m$ by $n$ matrix whose entries are the ratings",
        r"Take an $m$-by-$n$ matrix $R$",
        r"Let $R$ be $m$ by $n$",
    ],
)
def test_a_size_said_with_by_declares_the_matrix(tmp_path: Path, said: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        %! notes.md
        {said}, with $U \in \mathbb{{R}}^{{m \times k}}$.

        $$V = R U$$
              ^^^
        """,
    )
    r = declaration(result, "R")
    assert r is not None and r.shape.short() == "m×n" and r.how == "prose"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_by_between_two_letters_is_no_size(tmp_path: Path) -> None:
    # "Multiplying $X$ by $S$ gives the matrix $C$": a product, not a size
    _, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Multiplying $X$ by $S$ gives the matrix $C$, with $x \in \mathbb{R}^m$; then $y = C x$.
        """,
    )
    assert declaration(result, "C") is None
    assert found(result) == set()


def test_a_signal_declares_its_samples(tmp_path: Path) -> None:
    # an SSM note: continuous h(t), u(t) declared; the discretised recurrence writes h_t, u_t
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! ssm.md
        The state $h(t)$ is an $N$-dimensional vector and the input $u(t) \in \mathbb{R}^D$,
        with $B \in \mathbb{R}^{N \times D}$ and $C \in \mathbb{R}^{P \times N}$.

        $$h_t = h_{t-1} + B u_t, \qquad y_t = C h_t, \qquad z_t = C u_{t-1}$$
                                                                  ^^^^^^^^^
        """,
    )
    h = declaration(result, "h_{t}")
    assert h is not None and h.shape.short() == "N"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_recurrence_in_a_later_section_keeps_the_letter(tmp_path: Path) -> None:
    # h_t = \bar A_t h_{t-1} + … (with an unread \bar A_t) in a new section is the h_t of
    # before one step on, not a new meaning of h_t: W_g h_t is still checked
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! ssm.md
        ## Model

        Let $h_t \in \mathbb{R}^N$, $u_t \in \mathbb{R}^D$ and $B \in \mathbb{R}^{N \times D}$.

        ## Selective scan

        $$h_t = \bar A_t h_{t-1} + B u_t$$

        The gate $W_g \in \mathbb{R}^{P \times D}$ gives $o = W_g u_t$, not $o = W_g h_t$.
                                                                                 ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_case_holds_in_a_sentence_going_on_after_its_display(tmp_path: Path) -> None:
    # "When $l = k$, …\n\n$$ … $$\n\nsince $…$": the case holds in the "since" part too
    _, result = check_fixture(
        tmp_path,
        r"""
        %! iv.md
        Let $X \in \mathbb{R}^{n \times k}$, $Z \in \mathbb{R}^{n \times l}$ and $y \in \mathbb{R}^n$.

        When $l = k$, the matrix $Z^\top X$ is square and, if invertible,

        $$
        b = (Z^\top X)^{-1} Z^\top y ,
        $$

        since $(X^\top Z (Z^\top Z)^{-1} Z^\top X)^{-1} = (Z^\top X)^{-1} (Z^\top Z) (X^\top Z)^{-1}$.
        """,
    )
    assert found(result) == set()


def test_a_predicate_of_a_phrase_does_not_resize_its_letter(tmp_path: Path) -> None:
    # "its read-out $C h_t$ with $C \in \mathbb{R}^{P \times N}$ is a $P$-vector": said of
    # the read-out; C stays P×N (was: C "redeclared" as a P-vector)
    _, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $h_t \in \mathbb{R}^N$. Its read-out $C h_t$ with $C \in \mathbb{R}^{P \times N}$ is a $P$-vector.
        """,
    )
    c = declaration(result, "C")
    assert c is not None and c.shape.short() == "P×N"
    assert found(result) == set()


def test_a_named_set_sizes_the_letter_of_its_members(tmp_path: Path) -> None:
    # OT notes: U(a, b) = \{P \in \mathbb{R}_+^{n \times m} : …\}, then the text speaks of P
    # (an unnamed set builder still binds its letter inside its braces only)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $a \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$.
        \[
          U(a, b) = \bigl\{ P \in \mathbb{R}_{+}^{n \times m} : P \mathbf{1}_m = a, \; P^\top \mathbf{1}_n = b \bigr\}.
        \]
        Writing the column marginal as $P^\top \mathbf{1}_m = b$ is a slip.
                                        ^^^^^^^^^^^^^^^^^^^
        The set $\{Q \in \mathbb{R}^{n \times m} : Q \mathbf{1}_m = a\}$ binds $Q$, and $Q^\top \mathbf{1}_m$ says nothing.
        """,
    )
    (p,) = result.table.weak["P"]  # (weakly: where nothing else declares or defines P)
    assert p.shape.short() == "n×m" and p.how == "set"
    assert declaration(result, "Q") is None and "Q" not in result.table.weak
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_named_sets_letter_gives_way_to_a_declaration(tmp_path: Path) -> None:
    # the simplex \Delta_n = \{p \in \mathbb{R}^n : …\} does not make "a distribution
    # $p \in \Delta_m$" a redeclaration, nor its p an n-vector
    _, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$. The simplex
        $\Delta_n = \{p \in \mathbb{R}^n : p \ge 0, \mathbf{1}^\top p = 1\}$ and a distribution
        $p \in \Delta_m$ over the rows give $p^\top A x$.
        """,
    )
    p = declaration(result, "p")
    assert p is not None and p.shape.short() == "m"
    assert found(result) == set()


def test_a_propositions_form_introduces_its_letters(tmp_path: Path) -> None:
    # "The solution has the form $P = \Diag(u) K \Diag(v)$, where … $u \in …$, $v \in …$":
    # letters the text goes on using (Sinkhorn's iterates of u and v), not the result's own;
    # and e^{-C/\varepsilon} said to be entrywise has the shape of the n×m C
    fx, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \newtheorem{proposition}{Proposition}
        \begin{document}
        Let $C \in \mathbb{R}^{n \times m}$, $a \in \mathbb{R}^n$ and $\varepsilon > 0$.
        \begin{proposition}
        The solution has the form $P = \operatorname{Diag}(u) K \operatorname{Diag}(v)$, where
        $K = e^{-C/\varepsilon}$ (entrywise) and $u \in \mathbb{R}^n$, $v \in \mathbb{R}^m$ are scalings.
        \end{proposition}
        Sinkhorn alternates $u^{(\ell+1)} = a \oslash (K v^{(\ell)})$; not $a \oslash (K^\top v^{(\ell)})$.
                                                                                       ^^^^^^^^^^^^^^^^^
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_lemmas_own_letters_stay_its_own(tmp_path: Path) -> None:
    # "Let $A \in …$" in a result is the result's own (not an introducing sentence)
    _, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \newtheorem{lemma}{Lemma}
        \begin{document}
        Let $A \in \mathbb{R}^{n \times n}$ and $x \in \mathbb{R}^n$.
        \begin{lemma}
        Let $A \in \mathbb{R}^{m \times k}$. Then $A^\top A$ is positive semidefinite.
        \end{lemma}
        The iteration uses $A x$.
        \end{document}
        """,
    )
    assert found(result) == set()
