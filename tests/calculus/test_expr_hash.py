"""An expression's hash is computed once and kept: equal expressions still hash alike,
and the kept hash does not travel through pickle (a string's hash differs by process)."""

from __future__ import annotations

import pickle

import sympy

from texgrad.calculus import expr as e
from texgrad.shapes.dims import ONE, Shape

n = sympy.Symbol("n", positive=True, integer=True)
A = e.var("A", Shape(n, n))
x = e.var("x", Shape(n, ONE))


def test_equal_expressions_hash_alike_and_keep_it() -> None:
    q = e.mul(e.transpose(x), A, x)
    assert q._hash == 0  # not yet asked
    h = hash(q)
    assert q._hash == h != 0
    again = e.mul(e.transpose(x), A, x)
    assert again is not q and again == q and hash(again) == h
    assert hash(e.mul(e.transpose(x), e.transpose(A), x)) != h or e.transpose(A) == A
    assert {q: 1}[again] == 1


def test_every_expression_class_keeps_its_hash() -> None:
    classes = [c for c in vars(e).values() if isinstance(c, type) and issubclass(c, e.Expr)]
    assert len(classes) > 20
    for cls in classes:
        if cls is not e.Expr:
            assert cls.__hash__.__qualname__.startswith("_kept_hash"), cls.__name__


def test_the_kept_hash_is_not_pickled() -> None:
    q = e.add(e.mul(A, x), x)
    hash(q)
    back = pickle.loads(pickle.dumps(q))
    assert back == q and back._hash == 0 and hash(back) == hash(q)
