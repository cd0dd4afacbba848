r"""Declarations in words: prose as papers write it ("Let $W$ be an $m \times n$ matrix",
"a vector $x$ of length $n$") and ``texgrad:`` comments (``% texgrad: A n×m, x m``)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import replace
from itertools import pairwise
from typing import NamedTuple

from texgrad.casefold import folded
from texgrad.reading.memo import by_text
from texgrad.reading.source import MappedText
from texgrad.shapes import language_cues
from texgrad.shapes.dim_terms import symbol
from texgrad.shapes.dims import ONE, SCALAR, Shape, dim_of, same
from texgrad.shapes.formulas import (
    from_formula,
    iterate_key,
    sampled,
    signal_letter,
    space_shape,
    tag_key,
)
from texgrad.shapes.rows import PlacedRow
from texgrad.shapes.sections import SENTENCE_LOOKBACK, next_break, sentence_start
from texgrad.shapes.table import Declaration, SymbolTable
from texgrad.syntax import tree as t
from texgrad.syntax.notation import index_parts
from texgrad.syntax.parse import parse_row
from texgrad.syntax.show import show
from texgrad.syntax.symbols import member_key, ones_key, symbol_key

_M = r"\$\$?(?P<{}>[^$]{{1,80}})\$\$?"
_ART = r"(?:an?|the|one|some)"
_DEF = r"\$\$?(?P<{}>[^$=]{{1,40}}=[^$]{{1,80}})\$\$?"  # "$K = k(X, X)$": a definition
_KIND = (
    r"(?P<kind>(?:(?:real|complex|symmetric|positive(?:-|\s+)(?:semi-?)?definite|square|random|column|row|weight|"
    r"data|design|input|output|feature|diagonal|all-ones|identity|invertible|orthogonal|(?:lower |upper )?triangular|"
    r"nonsingular|non-singular|rotation|permutation|covariance|full[- ]rank|sparse|Gram|unitary|Hessian|"
    r"Jacobian|projection|precision|kernel|adjacency|transition|stochastic|loading)\s+)*"
    r"(?:matrix|matrices|vector|vectors))"
)
# what a space holds, said before the space: "a vector in $\mathbb{R}^m$" (the space sizes it)
# (only a space: "a vector of $m$ functions" counts, it does not size)
_SPACE_NOUN = r"(?P<space>)(?P<kind>vector|matrix|point|element|member)"
_IN_SPACE = _SPACE_NOUN + r"\s+(?:in|from)\s+" + _M.format("dims")
# "… $A$ be a symmetric matrix and $B$ a $k \times k$ positive definite one": "one" names the
# kind said before it in the list (the paragraph then holds "matri" or "vector" anyway)
_KIND_OR_ONE = _KIND.replace(
    "(?:matrix|matrices|vector|vectors))", "(?:matrix|matrices|vector|vectors|one(?![\\w-])))"
)
# words papers put before a size: "a random $p \times p$ matrix", "a real $3 \times 3$ matrix"
_BEFORE_SIZE = r"(?:(?:random|real|complex|symmetric|given|fixed|known|arbitrary|square|diagonal|invertible|nonsingular|orthogonal|new)\s+)*"
# "$m$ by $n$": a size in words, read as ``m \times n``
_BY = r"\$(?P<dims>[^$]{1,30})\$(?:\s+by\s+|-by-)\$(?P<dimsb>[^$]{1,30})\$"
_PROSE = [
    # "$A$ and $B$ are $n \times n$ matrices", "$x$, $y$ and $z$ are $n$-dimensional vectors"
    re.compile(_M.format("sym") + r"(?:,\s*" + _M.format("sym2") + r")?,?\s+and\s+" + _M.format("sym3")
               + r"\s+are\s+(?:both\s+|all\s+)?" + _M.format("dims") + r"(?:[- ]dimensional)?(?:\s+|-(?=vector))" + _KIND),
    # "Let $W$ be an $m \times n$ matrix", "$v$ is an $n$-dimensional vector"
    re.compile(_M.format("sym") + r"\s+(?:be|is|denotes?)\s+" + _ART + r"\s+" + _BEFORE_SIZE + _M.format("dims")
               + r"(?:[- ]dimensional)?(?:\s+|-(?=vector))" + _KIND),
    # "Let $A$ be …, $C$ an $n \times m$ matrix and $w$ a vector of …": apposition in a list
    # (also "with $\Omega$ a known $N \times N$ positive definite matrix")
    re.compile(r"(?:,|\band|\bwith)\s+" + _M.format("sym") + r"\s+an?\s+" + _BEFORE_SIZE + _M.format("dims")
               + r"(?:[- ]dimensional)?(?:\s+|-(?=vector))" + _KIND_OR_ONE),
    # "an $n \times n$ matrix $A$", "a $k \times 1$ vector $y_t$", "$n$-dimensional vector $v$", "an $m$-vector $y$"
    re.compile(_M.format("dims") + r"(?:[- ]dimensional)?(?:\s+|-(?=vector))" + _KIND + r"\s+(?:called\s+|denoted\s+(?:by\s+)?)?" + _M.format("sym")),
    # "Let $v$ be a vector of length $n$", "$W$ is a matrix of size $m \times n$"
    re.compile(_M.format("sym") + r"\s+(?:be|is|denotes?)\s+" + _ART + r"\s+" + _KIND
               + r",?\s+(?:of|with)\s+(?:length|size|shape|dimensions?)\s+" + _M.format("dims")),
    # "…, $P$ an $n \times n$ matrix and $v$ a vector of length $m$": apposition in a list
    re.compile(r"(?:,|\band)\s+" + _M.format("sym") + r"\s+an?\s+" + _KIND
               + r",?\s+(?:of|with)\s+(?:length|size|shape|dimensions?)\s+" + _M.format("dims")),
    # "a vector $x$ of length $n$", "$X$ of size $N \times D$"
    re.compile(_M.format("sym") + r",?\s+(?:of|with)\s+(?P<kind>length|size|shape|dimensions?|order)\s+" + _M.format("dims")),
    # "Let $A$ be $m \times n$", "where $X$ is of size $N \times D$" (not "If $A$ is …": a hypothesis)
    # ("Each $\delta^{[l]}$ is $n^{[l]} \times m$") and the items of such a list ("…, $C$ is
    # $n \times m$ and $G$ is $k \times n$"), or of a
    # bulleted one ("* $w_t$ is $k \times 1$")
    # ("…, where $X_i$ is the $n_i \times p$ fixed-effects design", "accordingly $A$ is $n \times n$")
    # ("So $A$ is $n \times n$, $C$ is $n \times p$ and …": sizes that follow from what precedes)
    re.compile(r"(?P<lead>\b[Ll]et|\b[Ss]uppose|\b[Aa]ssume|\bwhere|\b[Ee]ach|\b[Aa]ccordingly|\b(?:[Ss]o|[Tt]hus|[Hh]ence|[Cc]onsequently|[Hh]ere)(?=\s+\$)|(?m:^)[ \t]*(?:[-*+]|\d+[.)]|\\item)|,|\band)\s+" + _M.format("sym") + r"\s+(?:is|be)\s+(?:of\s+(?:size|shape|dimensions?)\s+|(?:the|an?)\s+)?" + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?"
               + r"(?P<kind>)(?!\s*(?:-dimensional|matri|vector))"),
    # "$K_* = k(X, X_*)$, an $n \times n_*$ matrix": an apposition after a definition (of a
    # letter defined here first: "…was accumulated as $G = \frac{1}{B} Z Z^\top$, a $B \times B$
    # Gram matrix" after "$G = \frac{1}{B} Z^\top Z$" sizes the wrong value)
    # (a definition as long as "$S = \operatorname{diag}\big(\boldsymbol{\mu} \odot (\mathbf{1} - \boldsymbol{\mu})\big)$")
    # (not after a letter declared in its own math: "…and $K_*^{(2)} \in \mathbb{R}^{m_2 \times
    # n_2}$, an $n_* \times n$ matrix" sizes the sentence's subject, K_*, not K_*^{(2)})
    # (not after "of $f$ at $x$": "the Jacobian of $f$ at $x$, an $m \times n$ matrix" sizes the
    # Jacobian, and "the gradient of $f$, a vector" the gradient — which one is meant is unsure)
    re.compile(r"(?<!\bat\s)(?<!\bof\s)(?P<fresh>)\$\$?(?P<defsym>(?:(?!\\in\b)[^$]){1,160})\$\$?,\s+(?:which is\s+)?an?\s+" + _M.format("dims")
               + r"(?:[- ]dimensional)?(?:\s+|-(?=vector))" + _KIND),
    # "$K = k(X, X)$ is $n \times n$": the size of what a definition names (a definition:
    # "If $A$ is $n \times k$" supposes)
    re.compile(r"\$\$?(?P<defsym>[^$=]{1,40}(?:=|\\coloneqq|\\triangleq)[^$]{1,80})\$\$?\s+is\s+(?:of\s+size\s+)?" + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?"
               + r"(?P<kind>)(?!\s*(?:-dimensional|matri|vector))"),
    # "$Q_i = X W_q^{(i)}$, $K_i = X W_k^{(i)}$, $V_i = X W_v^{(i)}$ are $n \times d_h$": the
    # size of what each definition of a list names
    re.compile(_DEF.format("defsym") + r",?\s+(?:and\s+)?" + _DEF.format("defsym2")
               + r"(?:,?\s+(?:and\s+)?" + _DEF.format("defsym3") + r")?\s+are\s+(?:all\s+|both\s+)?"
               + r"(?:of\s+size\s+)?\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?"
               + r"(?P<kind>)(?!\s*(?:-dimensional|matri|vector))"),
    # "a scalar $\lambda$", "$\lambda$ is a scalar"
    re.compile(r"\b(?P<kind>scalar)s?\s+" + _M.format("sym")),
    # "scalars $\gamma$ and $\beta$", "scalars $a$, $b$ and $c$", "scalars $\gamma, \beta$"
    re.compile(r"\b(?P<kind>scalar)s\s+" + _M.format("lsym") + r"(?:,\s*" + _M.format("sym2")
               + r")?,?\s+and\s+" + _M.format("sym3")),
    re.compile(r"\b(?P<kind>scalar)s\s+" + _M.format("lsym")),
    # "$\gamma, \beta, \varepsilon$ scalars", "$\gamma$ and $\beta$ are scalars"
    re.compile(r"(?:" + _M.format("sym2") + r",?\s+and\s+)?" + _M.format("lsym")
               + r"\s+(?:are\s+)?(?:all\s+|both\s+)?(?:real\s+|positive\s+)?(?P<kind>scalar)s\b"
               + r"(?!\s+(?:product|multiplication|field|function|valued))"),
    # "joint angles $q_1, q_2$ (scalars)", "$\lambda$ (a scalar)": said in brackets
    re.compile(_M.format("lsym") + r"\s*\((?:both\s+|all\s+)?(?:an?\s+)?(?:real\s+|positive\s+)?"
               + r"(?P<kind>scalar)s?\)"),
    # (not "$f$ is a scalar function of $X$": a function, which the document may define)
    re.compile(_M.format("sym") + r"\s+(?:is|be)\s+a\s+(?:real\s+)?(?P<kind>scalar)\b"
               + r"(?![\s-]+(?:valued\s+)?function)"),
    # "let $x$ denote a scalar", "let $x$ be a real number", "Let $X$ be a random variable"
    re.compile(r"\$\$?(?P<sym>(?:(?!\\in\b|\\sim\b)[^$=]){1,30})\$\$?\s+(?:be|is|denotes?)\s+(?:a|any)\s+(?:(?:real|positive|nonnegative|fixed|given|"
               r"scalar)\s+)?(?P<kind>scalar|number|random variable)\b(?!\s+(?:of|in)\b)"
               r"(?![\s-]+(?:valued\s+)?function)"),
    # "I use $K_{NN}$ for the $N \times N$ kernel matrix …, $K_{MM}$ for the $M \times M$ one"
    re.compile(_M.format("sym") + r"\s+for\s+the\s+" + _BEFORE_SIZE + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?"
               + r"(?:\s+[A-Za-z-]+){0,2}?\s+(?P<kind>matrix|one)\b"),
    # "…, $K_* = K(X, X_*)$ for the $n \times n_*$ cross-covariances" (a definition named
    # for the size of what it holds, whatever the noun)
    re.compile(r"(?P<fresh>)" + _DEF.format("defsym") + r"\s+for\s+the\s+" + _BEFORE_SIZE
               + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?(?P<kind>)(?=\s+[A-Za-z])"
               + r"(?!\s*(?:-dimensional|matri|vector))"),
    # "$K_{**} = K(X_*, X_*)$, which is $n_* \times n_*$", "$V = L^{-1} K_*$, which is $n \times n_*$"
    # (of a letter defined here first: "Not $X_c = X - \bar x 1^\top$, which is $p \times n$"
    # sizes the wrong value of an X_c defined just before; so does "…, which is … at best")
    re.compile(r"(?P<fresh>)" + _DEF.format("defsym") + r",\s+which\s+is\s+(?:of\s+size\s+)?"
               + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?"
               + r"(?P<kind>)(?!\s*(?:-dimensional|matri|vector))"),
    # "$\mathbf{V}$ known ($n \times n$, positive definite)", "$C$ ($p \times p$)": a size in
    # brackets just after the letter (its size said in passing)
    # (a letter alone: "$K = S^{-1} H P$ (a $2m \times 3$ matrix, the gain transposed)" sizes
    # a wrong value, not the letter)
    # ("$A$ (of size $n \times k$)", "$A$ (shape $n \times k$)")
    re.compile(r"\$(?P<sym>(?:(?!\\in\b)[^$=<>]){1,40})\$(?:\s+(?:known|given|fixed))?\s+\(\s*"
               + r"(?:an?\s+|(?:of\s+)?(?:size|shape|dimensions?)\s+)?"
               + r"\$(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$"
               + r"(?P<kind>(?:\s+(?:matrix|matrices))?)\s*(?=[,;)])"),
    # "For the $d \times d$ matrix $\Phi^\top D \Phi$ we also write $M$", "the $n \times n$
    # matrix $X X^\top$, which we denote by $G$": a name given to a sized expression
    re.compile(_M.format("dims") + r"(?:[- ]dimensional)?\s+" + _KIND + r"\s+\$\$?[^$]{1,80}\$\$?,?\s+"
               + r"(?:which\s+)?we\s+(?:also\s+|simply\s+|shall\s+|will\s+)?(?:write|call|denote)"
               + r"(?:\s+(?:it\s+)?(?:as|by))?\s+" + _M.format("sym")),
    # "the $n$ by $n$ matrix $L$", "an $m$ by $n$ design matrix $X$": a size in words
    re.compile(r"\b(?:[Aa]n?|[Tt]he|[Oo]ne|[Ee]ach|[Ee]very|[Ss]ome|[Aa]ny)\s+" + _BEFORE_SIZE + _BY
               + r"\s+(?:[A-Za-z-]+\s+){0,2}?(?P<kind>matrix|array)\s+(?:called\s+|denoted\s+(?:by\s+)?)?"
               + _M.format("sym")),
    # "$A$ is the $N$ by $N$ state matrix", "Let $R$ be an $m$ by $n$ matrix"
    re.compile(_M.format("sym") + r"\s+(?:be|is|denotes?)\s+" + _ART + r"\s+" + _BEFORE_SIZE + _BY
               + r"\s+(?:[A-Za-z-]+\s+){0,2}?(?P<kind>matrix|array)\b"),
    # "where $A$ is $N$ by $N$", "* $W$ is $d$-by-$k$" (as "… is $N \times N$" above)
    re.compile(r"(?P<lead>\b[Ll]et|\b[Ss]uppose|\b[Aa]ssume|\bwhere|\b[Ee]ach|(?m:^)[ \t]*(?:[-*+]|\d+[.)]|\\item)|,|\band)\s+"
               + _M.format("sym") + r"\s+(?:is|be)\s+(?:of\s+(?:size|shape|dimensions?)\s+)?" + _BY
               + r"(?P<kind>)(?![\w-])"),
    # "…, $Z_i$ the $n_i \times q$ random-effects design and …": an apposition in a list,
    # whatever the noun
    re.compile(r"(?P<lead>,|\band|\bwith)\s+" + _M.format("sym") + r"\s+the\s+"
               + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?(?P<kind>)(?![\w-])"),
    # "$x_k$ is the state (an $n$-vector), $u_k$ the input (an $m$-vector)": the size in
    # brackets after what the letter is
    re.compile(_M.format("sym") + r"\s+(?:is\s+|denotes\s+)?(?:the|an?)\s+(?:[\w-]+\s+){0,3}?[\w-]+\s+\(\s*"
               + r"(?:an?\s+)?" + _M.format("dims")
               + r"(?:(?:[- ]dimensional\s+|-|\s+)(?P<kind>vector|matrix))?\s*\)"),
    # "with orthogonal $Q_i$ and diagonal $\Lambda_i$, both $n_i \times n_i$"
    # ("$\bm U$ orthogonal and $\bm\Lambda$ diagonal, both $p \times p$": a word after each)
    re.compile(_M.format("sym") + r"(?:\s+[A-Za-z-]{3,})?(?:,\s*|\s+and\s+)(?:[\w-]+\s+){0,2}" + _M.format("sym2")
               + r"(?:\s+[A-Za-z-]{3,})?,?\s+(?:which\s+are\s+|are\s+)?(?:both|each)\s+(?:an?\s+)?(?:of\s+size\s+)?"
               + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?(?P<kind>)(?![\w-])"),
    # "Write $\Delta$ for the $n$ by $B$ matrix whose columns …"
    re.compile(_M.format("sym") + r"\s+for\s+the\s+" + _BEFORE_SIZE + _BY
               + r"\s+(?:[A-Za-z-]+\s+){0,2}?(?P<kind>matrix)\b"),
    # "Let $t$ be a vector in $\mathbb{R}^m$", "$A$ is a matrix in $\mathbb{R}^{m \times n}$"
    re.compile(_M.format("sym") + r"\s+(?:be|is|denotes?)\s+" + _ART + r"\s+" + _BEFORE_SIZE
               + _IN_SPACE),
    # "…, $t$ a vector in $\mathbb{R}^m$": apposition in a list
    re.compile(r"(?:,|\band|\bwith)\s+" + _M.format("sym") + r"\s+an?\s+" + _BEFORE_SIZE + _IN_SPACE),
    # "a vector $t$ in $\mathbb{R}^m$", "a point $x$ in $\mathbb{R}^n$"
    re.compile(r"\b" + _ART + r"\s+" + _BEFORE_SIZE + _SPACE_NOUN + r"\s+" + _M.format("sym")
               + r"\s+(?:in|from)\s+" + _M.format("dims")),
    # "… uses $\mathbf{H}$, the $(T-2) \times (T-2)$ matrix with 2 on the diagonal": an
    # apposition after a comma that sizes the letter before it
    # (a letter alone: "$G = \frac1B Z Z^\top$, a $B \times B$ Gram matrix" sizes a wrong value)
    re.compile(r"\$(?P<sym>(?:(?!\\in\b)[^$=<>]){1,40})\$,\s+(?:the|an?)\s+" + _BEFORE_SIZE
               + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?\s+(?:[A-Za-z-]+\s+){0,2}?"
               + r"(?P<kind>matrix)\b"),
    # "$\ba(t) = \partial L / \partial \bz(t)$, a vector in $\mathbb{R}^D$": an apposition
    # after a definition that names the space (as "…, an $n \times n_*$ matrix" names the size)
    re.compile(r"(?<!\bat\s)(?<!\bof\s)(?P<fresh>)\$\$?(?P<defsym>(?:(?!\\in\b)[^$]){1,160})\$\$?,\s+(?:which is\s+)?an?\s+"
               + _BEFORE_SIZE + _IN_SPACE),
    # "a random vector $\x$ with $p$ entries and $\y$ with $q$ entries", "$u$, with $n$
    # components", "the state $x_t$ has $n$ components": a vector's length said by its count of entries (one dimension, no
    # \times; not "with $k$ entries equal to one", nor "with $k$ nonzero entries": a count)
    re.compile(_M.format("sym") + r",?\s+(?:with|having|has)\s+\$(?P<dims>(?:(?!\\times)[^$]){1,30})\$"
               + r"\s+(?P<kind>entries|components|coordinates)\b"
               + r"(?!\s+(?:equal|set|that|which|are|is|being|in|of|from|at|on|to)\b)"),
    # "$\delta_t = r_t + \gamma V(s_{t+1}) - V(s_t)$, a scalar": an apposition after a
    # definition that says it is a number (as "…, an $n \times n_*$ matrix" says its size);
    # not after "with"/"where": "$\bar f_* = k_*^\top\alpha$ with $\alpha = K^{-1}y$, a
    # scalar" says it of the first formula, the sentence's subject
    re.compile(r"(?<!\bat\s)(?<!\bof\s)(?<!\bwith\s)(?<!\bwhere\s)(?P<fresh>)\$\$?(?P<defsym>(?:(?!\\in\b)[^$]){1,160})\$\$?,\s+(?:which is\s+)?an?\s+"
               + r"(?:real\s+)?(?P<kind>scalar|number)\b(?![\s-]+(?:valued\s+|of\b|in\b|function))"),
    # "$W$ has shape $d \times h$", "the batch $X$ has shape $(B, d)$" (NumPy's order: rows,
    # then columns): a blog's way to size a matrix
    # ("Queries $Q$ and keys $K$ both have shape $(n, d)$")
    re.compile(_M.format("sym") + r"(?:\s+and\s+(?:[A-Za-z-]+\s+){0,2}?" + _M.format("sym2") + r")?"
               + r",?\s+(?:which\s+)?(?:both\s+|all\s+)?(?:has|have|having)\s+(?:the\s+)?(?:shape|size)\s+"
               + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40}|\([^$,()]{1,30},[^$,()]{1,30}\))\$\$?"
               + r"(?P<kind>)(?![\w-])"),
    # "$X$ has $n$ rows and $d$ columns", "a matrix $M$ with $n$ rows and $m$ columns"
    re.compile(_M.format("sym") + r",?\s+(?:has|having|with)\s+\$(?P<dims>[^$]{1,30})\$\s+rows?"
               + r",?\s+and\s+\$(?P<dimsb>[^$]{1,30})\$\s+columns?\b(?P<kind>)"),
    # "the input $x$ is $d$-dimensional", "each $h_t$ is $H$-dimensional" (no noun after: a
    # vector; not a space, "$\mathcal{X}$ is $d$-dimensional")
    # ("$\phi_t = \phi(q_t)$ and $\psi_t = \phi(k_t)$ are $r$-dimensional")
    re.compile(r"\$(?!\\math(?:cal|bb|scr|frak)\b)(?P<sym>[^$]{1,80})\$"
               + r"(?:\s+and\s+\$(?!\\math(?:cal|bb|scr|frak)\b)(?P<defsym2>[^$]{1,80})\$)?"
               + r"\s+(?:is|be|are)\s+(?:both\s+|all\s+)?"
               + r"\$(?P<dims>(?:(?!\\times)[^$]){1,30})\$[- ](?P<kind>dimensional)\b"
               + r"(?!\s+(?:[\w-]+\s+){0,2}?(?:space|subspace|manifold|simplex|sphere|ball|set|"
               + r"torus|surface|polytope|lattice|cube|matri))"),
    # "The weight $W$ is $d \times h$.", "Our design $X$ is $n \times p$": a sentence that
    # opens by naming the letter (not "If the weight $W$ is …", a supposition)
    # ("The projector onto $A$ is $m \times m$": of the projector, A the object of "onto")
    re.compile(r"(?<![Ii]f\s)(?<![Ww]hen\s)(?<![Uu]nless\s)\b(?:The|Our|the|our)\s+"
               + r"(?:(?!(?:of|to|onto|into|from|by|for|in|on|at|over|than|between|under|via|"
               + r"through|about|against|along|within|with|and|or)\b)[A-Za-z-]+\s+){1,3}?"
               + _M.format("sym") + r"\s+is\s+(?:of\s+(?:size|shape)\s+)?"
               + r"\$\$?(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$\$?"
               + r"(?P<kind>)(?!\s*(?:-dimensional|matri|vector))"),
    # "For one sample $\mathbf x$, a vector of dimension $p$, …": an apposition after a comma
    # that sizes the letter before it (not "the gradient of $f$, a vector of length $n$": of
    # the gradient; a letter alone: "$g = Xw$, a vector of length $p$" sizes a wrong value)
    re.compile(r"(?<!\bof\s)(?<!\bat\s)(?<!\bto\s)\$(?P<sym>(?:(?!\\in\b)[^$=<>]){1,40})\$,\s+an?\s+"
               + _KIND + r",?\s+(?:of|with)\s+(?:length|size|dimensions?)\s+" + _M.format("dims")),
    # "$\mathbf x$ (a vector of length $p$)", "$\mathbf x$ (of length $p$)", "$\mathbf x$ (a
    # $p$-vector)", "$\mathbf x$ (a $p \times 1$ vector)": a vector's size in brackets just
    # after the letter (as "$C$ ($p \times p$)" above)
    re.compile(r"(?<!\bof\s)(?<!\bat\s)(?<!\bto\s)\$(?P<sym>(?:(?!\\in\b)[^$=<>]){1,40})\$\s+\(\s*"
               + r"(?:(?:an?\s+)?(?:column\s+)?vector,?\s+)?(?:of|with)\s+(?P<kind>length|dimension)\s+"
               + r"\$(?P<dims>(?:(?!\\times)[^$]){1,40})\$\s*(?=[,;)])"),
    re.compile(r"(?<!\bof\s)(?<!\bat\s)(?<!\bto\s)\$(?P<sym>(?:(?!\\in\b)[^$=<>]){1,40})\$\s+\(\s*an?\s+"
               + r"\$(?P<dims>[^$]{1,40})\$(?:[- ]dimensional\s+|-|\s+)(?:column\s+)?(?P<kind>vector)\s*(?=[,;)])"),
    # "$\mathbf x$ (a vector in $\mathbb R^p$)"
    re.compile(r"(?<!\bof\s)(?<!\bat\s)(?<!\bto\s)\$(?P<sym>(?:(?!\\in\b)[^$=<>]){1,40})\$\s+\(\s*an?\s+"
               + _BEFORE_SIZE + _IN_SPACE + r"\s*(?=[,;)])"),
    # "Take $A$, which is $n \times k$, and …" (a letter alone; a definition: above; not a
    # relation: "$K_{XX} \approx K_{ZX} K_{ZZ}^{-1} K_{XZ}$, which is $m \times m$ at best" sizes its right side)
    re.compile(r"(?<!\bof\s)(?<!\bat\s)(?<!\bto\s)\$(?P<sym>(?:(?!\\(?:in|approx|simeq|sim|propto|equiv|cong|leq?|geq?|neq?|to)\b)[^$=<>]){1,40})\$,\s+which\s+is\s+"
               + r"(?:of\s+(?:size|shape)\s+)?\$(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$"
               + r"(?P<kind>)(?!\s*(?:-dimensional|matri|vector))"),
    # "… with $A$ being $n \times k$"
    re.compile(r"\bwith\s+" + _M.format("sym") + r"\s+being\s+(?:of\s+(?:size|shape)\s+)?"
               + r"\$(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$(?P<kind>)(?!\s*(?:-dimensional|matri|vector))"),
    # "Take $A$, an $n$-by-$k$ matrix, …": the apposition of "$A$, an $n \times k$ matrix" in words
    re.compile(r"(?<!\bof\s)(?<!\bat\s)(?<!\bto\s)\$(?P<sym>(?:(?!\\in\b)[^$=<>]){1,40})\$,\s+an?\s+"
               + _BEFORE_SIZE + _BY + r"\s+(?:[A-Za-z-]+\s+){0,2}?(?P<kind>matrix|array)\b"),
    # "for every $\mathbf x$ in $\mathbb{R}^n$", "Take $A$ in $\mathbb{R}^{n \times k}$" (the space sizes it)
    re.compile(r"(?<!\bof\s)(?<!\bat\s)(?<!\bto\s)\$(?P<sym>(?:(?!\\in\b)[^$=<>]){1,40})\$\s+in\s+"
               + r"(?P<space>)(?P<kind>)\$(?P<dims>\\mathbb\s*\{?R\}?[^$]{0,40})\$"),
    # "…, $W_\pi \in …$ and $c$ a scalar", "with $\lambda$ a real scalar": apposition in a
    # list that says the letter is a number (not "$c$ a scalar multiple of $x$")
    re.compile(r"(?:,|\band|\bwith)\s+" + _M.format("sym") + r"\s+an?\s+(?:real\s+|positive\s+|fixed\s+)?"
               + r"(?P<kind>scalar)\b(?![\s-]+(?:multiples?|function|field|products?|valued|of\b|in\b|times\b))"),
    # "The moments $\mathbf m_t, \mathbf v_t$ live in $\mathbb{R}^p$", "every state $\mathbf h_\ell$
    # is in $\mathbb{R}^W$": a space named for the letters (only a space: "$x$ lies in
    # $\operatorname{range}(A)$" sizes nothing; not "If $x$ is in …", a supposition)
    re.compile(r"(?<![Ii]f\s)(?<![Ww]hen\s)(?<![Uu]nless\s)(?<![Ss]uppose\s)" + _M.format("lsym")
               + r"\s+(?:both\s+|all\s+)?(?:lives?|live|lies?|is|are)\s+(?:both\s+|all\s+)?in\s+"
               + r"(?P<space>)(?P<kind>)" + _M.format("dims")
               # (not "$x, y$ are in $\mathbb{R}^n$ and $\mathbb{R}^m$, respectively")
               + r"(?!\s*(?:-|\\times|and\s+\$|[^.$]{0,40}respectively))"),
]  # fmt: skip
# what a paragraph must contain for each pattern to match (a pattern is not run on the
# paragraphs without it: most prose declares nothing)
_KIND_WORDS = ("matri", "vector")
_NEEDS = (
    *[_KIND_WORDS] * 6,
    ("length", "size", "shape", "dimension", "order"),
    ("\\times",),
    _KIND_WORDS,
    ("\\times",),
    ("\\times",),
    *[("scalar",)] * 6,
    ("scalar", "number", "random variable"),
    ("\\times",),
    ("\\times",),
    ("\\times",),
    ("\\times",),
    ("we write", "we also write", "we call", "we denote", "we simply", "we shall", "we will"),
    *[(" by $", "-by-")] * 3,
    ("\\times",),
    ("vector", "\\times"),
    ("both", "each"),
    (" by $", "-by-"),
    *[(" in $", " of $", " from $")] * 3,
    ("\\times",),
    (" in $", " from $"),
    (" entries", " components", " coordinates"),
    (" a scalar", " a number", " a real scalar", " a real number"),
    ("shape", "size"),
    (" rows",),
    ("dimensional",),
    ("\\times",),
    ("length", "size", "dimension"),
    ("length", "dimension"),
    ("vector",),
    (" in $", " from $"),
    ("which is",),
    (" being",),
    (" by $", "-by-"),
    (" in $",),
    (" a scalar", " an scalar", " a real scalar", " a positive scalar", " a fixed scalar"),
    ("in $", "in  $"),  # (two spaces: GitHub's math, plain_dollars)
)
assert len(_NEEDS) == len(_PROSE)
# every word any pattern needs, each looked for once per paragraph (each pattern's own
# ``any(w in chunk …)`` was ~9% of the Cookbook's analysis: 32 patterns, ~580 paragraphs)
_NEEDED_WORDS = tuple(dict.fromkeys(w for needs in _NEEDS for w in needs))
_NEEDS_SETS = tuple(frozenset(needs) for needs in _NEEDS)


# "For invertible square $A, B$: $(AB)^{-1} = B^{-1}A^{-1}$", "for any matrices $A$ and $B$":
# letters made generic for the rest of their sentence (whatever they were declared before)
_SQUARE_WORDS = (
    r"(?:invertible|nonsingular|non-singular|square|symmetric|orthogonal|unitary|diagonal|"
    r"positive[- ](?:semi-?)?definite|full[- ]rank)"
)
_MORE = (
    r"(?:(?:,\s*|\s+and\s+)"
    + _M.format("list2")
    + r")?(?:(?:,\s*|\s+and\s+)"
    + _M.format("list3")
    + r")?"
)
_GENERIC = [
    # "For invertible square $A, B$: $(AB)^{-1} = B^{-1}A^{-1}$", "for any $A$ and $B$"
    re.compile(
        r"\b[Ff]or\s+(?:(?:all|any|every|each|arbitrary|conformable|compatible|" + _SQUARE_WORDS[3:-1]
        + r")\s+)+(?:(?:real|complex)\s+)?(?:(?:matrices|matrix|vectors)\s+)?" + _M.format("list") + _MORE
    ),
    # "For any conformable matrices, $\operatorname{vec}(AXB) = (B^\top \otimes A)\operatorname{vec}(X)$":
    # the letters of the identity stated
    re.compile(
        r"\b[Ff]or\s+(?:all|any|every|arbitrary)\s+(?:(?:conformable|compatible|square|invertible|real)\s+)*"
        r"(?:matrices|vectors)(?:\s+of\s+(?:compatible|conformable|suitable)\s+(?:sizes?|shapes?|dimensions?))?"
        r",?\s+" + _M.format("formula")
    ),
    # "Also note $(AB)^{-1} = B^{-1}A^{-1}$ only for square invertible factors", "$\operatorname{vec}(AXB)
    # = …$ holds for all conformable matrices": an identity said after it to hold for matrices
    # of no letter, in letters of its own (texse-answer-tags-31: A, B declared m×n, p×m above)
    re.compile(
        _M.format("formula") + r",?\s+(?:(?:which\s+)?holds?\s+)?(?:only\s+)?for\s+(?:(?:all|any|every|arbitrary|"
        r"conformable|compatible|real|" + _SQUARE_WORDS[3:-1] + r")\s+)+(?:matrices|factors)\b"
    ),
    # "If $X$ is square and invertible", "When $X$ is invertible", "Assume $X$ is square";
    # "(AB)^{-1} \ne X^{-1} … unless $X$ is square": the formula's case
    re.compile(
        r"\b(?P<lead>[Ii]f|[Uu]nless|[Ww]hen(?:ever)?|[Aa]ssum(?:e|ing)(?:\s+that)?|[Ss]uppos(?:e|ing)(?:\s+that)?|[Ll]et)\s+"
        + _M.format("list") + _MORE + r"\s+(?:is|are|be)\s+(?:an?\s+|both\s+)?" + _SQUARE_WORDS + r"\b"
    ),
]  # fmt: skip


# "Students who remember ``$C - BA^{-1}B^\top$'' but not which block is $B$": a formula in
# quotation marks is mentioned, a rule recalled in letters of its own, not used
_QUOTED = re.compile(r"(?:``|\u201c)" + _M.format("formula") + r"(?:''|\u201d)")

# what a paragraph must contain for a supposition to make letters generic
_GENERIC_WORDS = ("square", "nvertib", "singular", "symmetric", "orthogonal", "unitary", "diagonal",
                  "definite", "rank", "all ", "any ", "every ", "each ", "arbitrary", "conformable",
                  "compatible")  # fmt: skip


# "which only runs for square $A$", "holds only for invertible $X$": said of a letter whose
# shape the text has declared (what a formula needs), not a supposition
_ONLY_BEFORE = re.compile(r"\bonly(?:\s+\w+){0,2}\s+$")


def generic_letters(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Add to ``table`` the letters a supposition makes generic ("For invertible square $A,
    B$: …", "If $X$ is square"), bound to the rest of its sentence (of its paragraph after
    "Assume", "Suppose", "Let"): there they have no declared shape."""
    chunk = text[lo:hi]
    if "``$" in chunk or "\u201c$" in chunk:
        for m in _QUOTED.finditer(text, lo, hi):
            at = m.start("formula")
            _make_formula_generic(at, at, m.end("formula"), path, rows, table)
    if not any(w in chunk for w in _GENERIC_WORDS):
        return
    for pattern in _GENERIC:
        for m in pattern.finditer(text, lo, hi):
            lead = (m.groupdict().get("lead") or "").lower()
            start = m.start()
            if not lead and _ONLY_BEFORE.search(text, max(lo, start - 40), start):
                continue  # "which only runs for square $A$": a restriction, not a supposition
            if lead.startswith(("assum", "suppos", "let")):
                end = hi
            else:  # the whole sentence: "… = X^{-\top} for invertible square $X$."
                start = sentence_start(text, lo, m.start())
                stop = next_break(text, m.end(), hi)
                end = stop.start() if stop is not None else hi
            if not lead and _IN_A_SPACE.match(text, m.end()):
                continue  # "for every $\mathbf a$ in $\mathbb R^n$": sized (_PROSE), as "for any $x \in …$"
            groups = m.groupdict()
            if groups.get("formula") is not None:
                _make_formula_generic(m.start("formula"), start, end, path, rows, table)
                continue
            # "For symmetric $B$", "If $X$ is invertible": a property of letters that may be
            # declared (square) already, which then keep their shape; "for any $A$": any A
            said = text[m.start() : min(hi, m.end() + 30)]
            how = "generic" if _ANY.search(said) or _SIZED.search(said) else "supposed"
            for group in ("list", "list2", "list3"):
                if groups.get(group) is not None:
                    _make_generic(m.start(group), start, end, path, rows, table, how)


_ANY = re.compile(r"\b(?:all|any|every|each|arbitrary|conformable|compatible)\b")
# the space a supposition's letters are taken in: "for every $\mathbf a$ in $\mathbb R^n$"
_IN_A_SPACE = re.compile(r"\s+in\s+\$\s*\\mathbb\s*\{?R\}?\s*\^")
# "For invertible square $A$, $C$ of the same size": their shape is what is supposed
_SIZED = re.compile(r"\bsquare\b|\bsame\s+(?:size|shape|dimension)")


def _make_generic(
    at: int, start: int, end: int, path: str, rows: list[PlacedRow], table: SymbolTable,
    how: str = "generic",
) -> None:  # fmt: skip
    row = _row_at(rows, at)
    tree = row.tree if row is not None else None
    if tree is None or isinstance(tree, t.Chain):
        return  # "for any $x \in \mathbb{R}^n$" declares x
    for sym in tree.items if isinstance(tree, t.List) else (tree,):
        key = symbol_key(sym) if sym is not None else None
        if key is not None:
            d = Declaration(key[0], key[1], SCALAR, path, sym.start, sym.end, how)
            table.add_bound(d, start, end)


def _make_formula_generic(
    at: int, start: int, end: int, path: str, rows: list[PlacedRow], table: SymbolTable
) -> None:
    r"""The capital letters of an identity stated "for any conformable matrices" are any
    matrices in its sentence (``A``, ``X``, ``B`` of ``\operatorname{vec}(AXB)``)."""
    row = _row_at(rows, at)
    if row is None or row.tree is None:
        return
    seen = set()
    for node in row.tree.walk():
        if not isinstance(node, t.Symbol) or not node.name[:1].isupper() or node.accents:
            continue
        key = symbol_key(node)
        if key is not None and key not in seen:
            seen.add(key)
            d = Declaration(key[0], key[1], SCALAR, path, node.start, node.end, "generic")
            table.add_bound(d, start, end)


def _row_at(rows: list[PlacedRow], offset: int) -> PlacedRow | None:
    """The row (of ``rows``, by start) whose range holds ``offset``: the math at a match."""
    starts = [r.start for r in rows]
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and rows[i].start <= offset <= rows[i].end:
        return rows[i]
    return None


def dims_shape(node: t.Node | None, kind: str) -> Shape | None:
    """``m \\times n`` → m×n; ``n`` with "vector" → n; ``n`` with "matrix" → n×n (an n×n … is common)."""
    if node is None:
        return None
    if isinstance(node, t.BinOp) and node.op in ("\\times", "x", "*") and node.right is not None:
        r, c = dim_of(node.left), dim_of(node.right)
        if r is None or c is None:
            return None
        if "row" in kind and not same(r, ONE):
            return None
        return Shape(r, c)
    if isinstance(node, t.Product) and len(node.factors) == 3 and show(node.factors[1]) == "x":
        r, c = dim_of(node.factors[0]), dim_of(node.factors[2])  # "n x m" typed with a letter x
        return Shape(r, c) if r is not None and c is not None else None
    if isinstance(node, t.Paren) and isinstance(node.body, t.List) and len(node.body.items) == 2:
        r, c = dim_of(node.body.items[0]), dim_of(node.body.items[1])  # NumPy's (rows, cols)
        return Shape(r, c) if r is not None and c is not None and "vector" not in kind else None
    d = dim_of(node)
    if d is None:
        return None
    if "vector" in kind:
        return Shape(ONE, d) if kind.startswith("row") else Shape(d, ONE)
    if "square" in kind or "symmetric" in kind:
        return Shape(d, d)
    return None  # "an $n$ matrix" says too little


# "the projector onto the column space of $A$ is the $m \times m$ matrix": the sentence's
# subject is the projector, and $A$ only the object of a preposition
_OBJECT = re.compile(
    r"\b(?:of|to|onto|into|from|by|for|in|on|at|over|than|between|under|via|through|about"
    r"|against|along|within|w\.r\.t\.|wrt)\s*$"
)
_EACH = re.compile(r"\$\$?,\s+(?:both|each)\s")
_WHICH = re.compile(r"\$\$?,\s+which\s+(?:has|have)\b")
# the patterns whose ``sym`` is the subject of a verb ("$A$ is …", "$A$ and $B$ are …")
_SUBJECT_VERB = re.compile(r"\s*\$\$?(?:,|\s+and\s|\s+(?:are|be|is|denotes?)\b)")


def _object_of_preposition(text: str, m: re.Match[str], lo: int) -> bool:
    """Is the match's leading ``sym`` (the subject of "is …") the object of a preposition?"""
    at = m.start()
    if m.groupdict().get("sym") is None or m.start("sym") != at + 1:
        return False
    if not _SUBJECT_VERB.match(text, m.end("sym")):
        return False  # "a vector $x$ of length $n$", "with $x$ of size …": an attribute
    if _WHICH.match(text, m.end("sym")):
        return False  # "the rows of $H$, which has shape …": the clause is of H
    if _EACH.search(m.group(0)):
        return False  # "the rows of $Z_a$ and $Z_b$, each an $N \times d$ matrix": of each
    return bool(_OBJECT.search(text, max(lo, at - 24), at))


# (or a list of sizes that opens with one: "$y$ is an $N$-vector, $X$ is $N \times p$, …")
_DECLARING = re.compile(
    r"\b(?:[Ww]here|[Ll]et|[Ss]uppose|[Aa]ssume|[Gg]iven|[Tt]hen|[Nn]ow|[Ss]o|[Tt]hus|[Hh]ence)\b"
    r"|(?:^|[:;]\s*)\$[^$]{1,40}\$\s+is\s+(?:an?\s+|the\s+)?\$[^$]{1,40}\$"
)
_HYPOTHESIS = re.compile(r"\b(?:[Ii]f|[Ww]hen|[Ww]henever|[Uu]nless)\b")


def _declaring(text: str, lo: int, at: int) -> bool:
    """Does the sentence up to ``at`` declare ("where $x$ is …, $A$ is …"), not suppose?"""
    sentence = text[sentence_start(text, lo, at) : at]
    return bool(_DECLARING.search(sentence)) and not _HYPOTHESIS.search(sentence)


# words that call what a sentence writes wrong ("a common slip", "the wrong reconstruction")
_WRONG = language_cues.blame()


def _called_wrong(text: str, lo: int, m: re.Match[str]) -> bool:
    r"""Does the sentence call what it writes wrong before the match? Then it sizes nothing:
    "Another slip: $S = \frac{1}{n-1} X X^\top$ is $n \times n$" made S n×n for the rest of the
    text, and every later, right use of S a false mismatch. (Not a word after it: "$H$ is a
    real $m \times n$ matrix …; then $H t$ is wrong", "$W$ is $n \times n$ …; the typo …".)"""
    start = sentence_start(text, lo, m.start())
    return _WRONG.search(text, start, m.start()) is not None


# "of length $n$" is a vector, "of order $n$" a square matrix
_KIND_OF = {"entries": "vector", "components": "vector", "coordinates": "vector",
            "length": "vector", "size": "vector", "dimension": "vector", "dimensions": "vector",
            "shape": "vector", "order": "square matrix", "dimensional": "vector",
            "number": "scalar", "random variable": "scalar"}  # fmt: skip


@by_text()
def plain_dollars(text: str) -> str:
    r"""GitHub's and GitLab's math, ``$`x \in \mathbb{R}^n`$``, LaTeX's, MathJax's and
    arithmatex's ``\(x \in \mathbb{R}^n\)`` (``\\(…\\)`` escaped in Markdown), and Hugo's
    ``{{< katex >}}x \in \mathbb{R}^n{{< /katex >}}``, written as
    the patterns read math, `` $x \in \mathbb{R}^n$ ``: each dollar put on a delimiter's
    character (the opener's last, the closer's first: the text after it is spaced as written)
    and spaces left in its place, so that every offset of the math stays where its row is.
    (Once per text: asked for each of its paragraphs.)"""
    if "$`" in text:
        text = _GITHUB_MATH.sub(lambda m: " $" + m.group(1) + "$ ", text)
    if "\\(" in text:
        text = _PAREN_MATH.sub(_dollared, text)
    if "katex" in text:  # Hugo's {{< katex >}}…{{< /katex >}}
        text = _KATEX_MATH.sub(_dollared, text)
    return text


def _dollared(m: re.Match[str]) -> str:
    opener, body, closer = m.group(1), m.group(2), m.group(3)
    return " " * (len(opener) - 1) + "$" + body + " " * (len(closer) - 1) + "$"  # ("$ states")


_GITHUB_MATH = re.compile(r"\$`([^`$\n]{1,400})`\$")
_KATEX_MATH = re.compile(
    r"(\{\{<[ \t]*katex(?![\w-])[^<>\n]{0,80}>\}\})([^$]{1,400}?)(\{\{<[ \t]*/katex[ \t]*>\}\})"
)
# (within a paragraph: no blank line inside, as inline math never leaves its paragraph)
_PAREN_MATH = re.compile(r"(\\\\?\()((?:[^$\\\n]|\n(?![ \t]*\n)|\\(?!\\?\))){1,400}?)(\\\\?\))")


def from_prose(
    text: str,
    path: str,
    rows: list[PlacedRow],
    table: SymbolTable,
    lo: int = 0,
    hi: int | None = None,
    asked: list[tuple[str, bool]] | None = None,
    looked_back: list[tuple[str, int, bool]] | None = None,
) -> None:
    """Add to ``table`` what the prose of ``text[lo:hi]`` declares, reading its math from
    ``rows`` (its parsed rows, by start).  What it asked of the whole text (is a letter a
    function the text defines?) is added to ``asked``, with the answers, and what it asked
    of the text before ``lo`` (is a letter set equal to something just before a sizing of
    its definition?) to ``looked_back`` (the letter, where it asked relative to ``lo``, the
    answer): a paragraph's reading kept after an edit holds only while they do
    (shapes/declarations.py)."""
    text = plain_dollars(text)
    if "$" not in text:
        return
    seen: set[tuple[int, tuple[str, str | None]]] = set()  # (several patterns may match)
    end = len(text) if hi is None else hi
    chunk = text[lo:end]
    present = {w for w in _NEEDED_WORDS if w in chunk}
    for pattern, needs in zip(_PROSE, _NEEDS_SETS, strict=True):
        if present.isdisjoint(needs):
            continue
        for m in pattern.finditer(text, lo, end):
            if m.groupdict().get("lead") in (",", "and") and not _declaring(text, lo, m.start()):
                continue  # "If $A$ is $m \times n$, $B$ is …": a hypothesis
            if _object_of_preposition(text, m, lo):
                continue  # "the Jacobian of $a_t$ with respect to $x_t$ is the $H \times d$ matrix"
            if _called_wrong(text, lo, m):
                continue  # "Another slip: $S = \frac{1}{n-1}XX^\top$ is $n \times n$": no size of S
            kind = (m.groupdict().get("kind") or "").lower()
            kind = _KIND_OF.get(kind, kind)
            shape = _prose_shape(m, kind, rows)
            if shape is None:
                continue
            for sym in _prose_symbols(m, rows):
                if _refreshed(m) and _defined_before(text, sym, m.start(), lo, looked_back):
                    continue
                if kind == "scalar" and _defined_as_function(text, sym, asked):
                    continue  # "$\nabla f(x) = Df(x)^T$ for scalar $f$": scalar-valued f
                if "matri" in kind and _entry(sym):
                    sym = sym.base  # type: ignore[attr-defined]  # "Gram matrix $K_{ij} = k(x_i, x_j)$"
                _declare(table, sym, shape, kind, path, seen)
            for sym, own in _equated_symbols(m, rows, shape):
                _declare(table, sym, own, kind, path, seen)
    low = folded(text)[lo:end]  # (the text folded once, as _in_other_languages reads it)
    if any(w in low for w in language_cues.DECLARATION_NEEDS):
        _in_other_languages(text, path, rows, table, lo, end, seen)
    _sentence_forms(text, path, rows, table, lo, end)


def _defined_as_function(
    text: str, sym: t.Node, asked: list[tuple[str, bool]] | None = None
) -> bool:
    r"""Is the letter ``sym`` a function the document defines (``f(x) = c^\top x``,
    ``g(\mathbf w) \coloneqq …``)? Then "for scalar $f$" says what f's values are, not f.
    (The question and its answer are added to ``asked``.)"""
    if not isinstance(sym, t.Symbol):
        return False
    name = text[sym.start : sym.end]
    answer = defines_function(text, name)
    if asked is not None:
        asked.append((name, answer))
    return answer


def defines_function(text: str, name: str) -> bool:
    r"""Does ``text`` define ``name`` as a function (``name(x) = …``)?"""
    if not name or len(name) > 40:
        return False
    defined = re.compile(
        r"(?<![\\\w])" + re.escape(name) + r"\s*\((?:[^()$]|\([^()$]*\)){1,60}\)\s*"
        r"(?:=|:=|\\coloneqq|\\triangleq|\\equiv)"
    )
    return defined.search(text) is not None


def _in_other_languages(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, end: int,
    seen: set[tuple[int, tuple[str, str | None]]],
) -> None:  # fmt: skip
    r"""What the prose declares in another language ("$X$ 是 $n\times p$ 的矩阵", "Sei $X$
    eine $n\times p$-Matrix", "Soit $\mathbf x$ un vecteur de taille $n$"): the words of
    :mod:`~texgrad.shapes.language_cues`, read as the English ones are."""
    low = folded(text)
    for pattern, kind in language_cues.DECLARATIONS:
        for m in pattern.finditer(low, lo, end):
            if _called_wrong(text, lo, m):
                continue  # "Falsch ist: $S = XX^\top$ ist eine $n\times n$-Matrix": no size of S
            said = "row vector" if m.groupdict().get("row") else kind
            shape = _prose_shape(m, said, rows)
            if shape is None:
                continue
            for sym in _prose_symbols(m, rows):
                _declare(table, sym, shape, said, path, seen)


def _sentence_forms(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, end: int
) -> None:
    """The forms read a sentence at a time: row vectors, "both in", "respectively",
    "likewise"."""
    chunk = text[lo:end]
    if "row vector" in chunk:
        _row_vectors(text, path, rows, table, lo, end)
    if "both" in chunk or "each" in chunk:
        _both_in(text, path, rows, table, lo, end)
    if "all in" in chunk or "each in" in chunk or "all of them in" in chunk:
        _listed_all_in(text, path, rows, table, lo, end)
    if "respectively" in chunk:
        _respectively(text, path, rows, table, lo, end)
    if "$, of " in chunk:
        _of_sizes(text, path, rows, table, lo, end)
    if "likewise" in chunk or "imilarly" in chunk:
        _likewise(text, path, rows, table, lo, end)
    if "variance $" in chunk:
        _variances(text, path, rows, table, lo, end)
    if any(w in chunk for w in _NUMBER_WORDS):
        _numbers_named(text, path, rows, table, lo, end)
    if "$ states" in chunk:
        _state_counts(text, path, rows, table, lo, end)
    if any(w in chunk for w in _COUNT_WORDS):
        _counts(text, path, rows, table, lo, end)


# "signal variance $s^2$", "noise variance $\sigma_n^2$": a number, so its letter is one
# (not a covariance: the word boundary; not "variance $\Sigma$", written without a square)
_VARIANCE = re.compile(r"\bvariance\s+\$(?P<sym>[^$]{1,30}\^\{?2\}?)\$")


def _variances(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Declare scalar the letter whose square the text calls a variance."""
    for m in _VARIANCE.finditer(text, lo, hi):
        (square,) = _items(rows, m.start("sym"))[:1] or [None]
        if not isinstance(square, t.Power) or not isinstance(square.exponent, t.Number):
            continue
        sym = square.base
        key = symbol_key(sym)
        if key is not None and key[1] is None:
            table.add(Declaration(key[0], key[1], SCALAR, path, sym.start, sym.end, "prose"))


# "with reward $r$ and discount $\gamma$", "a baseline $b$", "temperature $T$": what reinforcement
# learning and optimisation name by these words is a number (a letter in no font alone)
_NUMBER_WORDS = ("reward $", "return $", "baseline $", "discount $", "discount factor $",
                 "temperature $", "learning rate $", "step size $",
                 "temperatures $", "learning rates $", "step sizes $")  # fmt: skip
_NUMBER_NAMED = re.compile(
    r"\b(?:reward|return|baseline|discount(?:\s+factor)?|temperature|learning\s+rate|step\s+size)"
    r"\s+\$(?P<sym>[^$]{1,30})\$"
)
# "with learning rates $c_1$ and $c_\mu$", "step sizes $\alpha$, $\beta$": two numbers (not
# "learning rates $\boldsymbol\eta$" alone, a vector of them)
_NUMBERS_PLURAL = r"\b(?:temperatures|learning\s+rates|step\s+sizes)\s+"
_NUMBERS_NEXT = r"\s*(?:,\s*(?:and\s+)?|and\s+)"
_NUMBERS_FIRST = re.compile(
    _NUMBERS_PLURAL + r"\$(?P<sym>[^$]{1,30})\$" + _NUMBERS_NEXT + r"\$[^$]{1,30}\$"
)
_NUMBERS_SECOND = re.compile(
    _NUMBERS_PLURAL + r"\$[^$]{1,30}\$" + _NUMBERS_NEXT + r"\$(?P<sym>[^$]{1,30})\$"
)


def _numbers_named(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Declare scalar the letter (or member, ``G_t``) the text names a reward, a return, a
    baseline, a discount, a temperature, a learning rate or a step size."""
    _scalars_matched(_NUMBER_NAMED, text, path, rows, table, lo, hi)
    _scalars_matched(_NUMBERS_FIRST, text, path, rows, table, lo, hi)
    _scalars_matched(_NUMBERS_SECOND, text, path, rows, table, lo, hi)


def _scalars_matched(
    pattern: re.Pattern[str], text: str, path: str, rows: list[PlacedRow], table: SymbolTable,
    lo: int, hi: int,
) -> None:  # fmt: skip
    """Declare scalar the plain letter (or member) of each match of ``pattern``'s ``sym``."""
    for m in pattern.finditer(text, lo, hi):
        (sym,) = _items(rows, m.start("sym"))[:1] or [None]
        if not isinstance(sym, (t.Symbol, t.Sub)):
            continue
        key = symbol_key(sym)
        if key is not None and key[1] is None:
            table.add(Declaration(key[0], key[1], SCALAR, path, sym.start, sym.end, "prose"))


# "Class $c$ has $n_c$ samples", "$N_k$ points in cluster $k$": a subscripted letter of those
# that count, right before a noun of things counted, is their number (a plain n, m, N is
# already a dimension wherever a space is written with it)
_COUNT_WORDS = ("$ samples", "$ points", "$ observations", "$ examples", "$ users", "$ items",
                "$ nodes", "$ data points")  # fmt: skip
_COUNTED = re.compile(
    r"\$(?P<sym>[nNmMK]_\{?[A-Za-z]\}?)\s*\$\s+"
    r"(?:samples|points|observations|examples|users|items|nodes|data\s+points)\b"
)


def _counts(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Declare scalar the letter the text gives as a number of samples, points, users …"""
    _scalars_matched(_COUNTED, text, path, rows, table, lo, hi)


# "The plant is $x_{k+1} = Ax_k + Bu_k$ with $n$ states and $m$ inputs": a state-space
# system's counts size its state (the family whose next member the equation sets) and its
# input (the one other family the equation multiplies by a matrix); also "$\dot x = Ax + Bu$"
_STATE_COUNTS = re.compile(
    r"\$(?P<n>[^$]{1,20})\$\s+states\b(?:,?\s*(?:and\s+)?\$(?P<m>[^$]{1,20})\$\s+inputs\b)?"
)


def _state_counts(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Declare a state-space system's state (and input) vectors by the counts a sentence gives
    of its states (and inputs), read off the system's equation written in that sentence."""
    for m in _STATE_COUNTS.finditer(text, lo, hi):
        start = sentence_start(text, max(lo, m.start() - SENTENCE_LOOKBACK), m.start())
        stop = next_break(text, m.end(), hi)
        sentence = range(start, stop.start() if stop is not None else hi)
        found = [_state_space(r.tree) for r in rows if r.start in sentence]
        systems = [f for f in found if f is not None]
        if len(systems) != 1:
            continue  # (none written there, or two: which one is counted?)
        state, inputs = systems[0]
        counted = [(state, m.start("n"))]
        if m.start("m") >= 0 and len(inputs) == 1:
            counted.append((inputs[0], m.start("m")))
        for sym, at in counted:
            (count,) = _items(rows, at)[:1] or [None]
            shape = dims_shape(count, "vector")
            key = symbol_key(sym)
            if shape is not None and key is not None:
                table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "prose"))


def _state_space(tree: t.Node | None) -> tuple[t.Node, list[t.Node]] | None:
    r"""``x_{k+1} = A x_k + B u_k`` (or ``\dot x = Ax + Bu``): the state it multiplies by a
    matrix on the right (``x_k``, a member of the family set on the left) and the inputs,
    the other letters so multiplied; None for any other row."""
    if not (isinstance(tree, t.Chain) and tree.relations == ("=",) and len(tree.items) == 2):
        return None
    left, right = tree.items
    letter = _state_letter(left)
    if letter is None or right is None:
        return None
    terms = right.terms if isinstance(right, t.Add) else (right,)
    states: list[t.Node] = []
    inputs: list[t.Node] = []
    for term in terms:
        if not (isinstance(term, t.Product) and len(term.factors) == 2):
            continue
        matrix, operand = term.factors
        if isinstance(matrix, t.Transpose):
            matrix = matrix.base
        if not (isinstance(matrix, t.Symbol) and matrix.name[:1].isupper()):
            continue  # (A x_k, P^\top \pi_k: a capital letter's matrix)
        own = _state_letter(operand, member_only=isinstance(left, t.Sub))
        if own is not None and _same(own, letter):
            states.append(operand)
        elif own is not None:
            inputs.append(operand)
    if not states:
        return None
    return states[0], inputs


def _lowercase(sym: t.Symbol) -> bool:
    r"""``x``, ``\pi``: a lowercase letter, Latin or Greek."""
    return sym.name.lstrip("\\")[:1].islower()


def _state_letter(node: t.Node | None, member_only: bool = False) -> t.Symbol | None:
    r"""The letter of ``x_{k+1}``, ``x_k`` (a member under a one-letter label, shifted or not),
    or of ``\dot x`` and ``x`` (a plain lowercase letter) unless ``member_only``."""
    if isinstance(node, t.Sub) and isinstance(node.base, t.Symbol):
        index = node.index
        if isinstance(index, t.Add) and index.terms:
            index = index.terms[0]
        if isinstance(index, t.Symbol) and len(index.name) == 1 and index.name in "kt":
            return node.base if _lowercase(node.base) else None
        return None
    if member_only or not isinstance(node, t.Symbol) or not _lowercase(node):
        return None
    return replace(node, accents=()) if node.accents in ((), ("dot",)) else None


# "$W^Q = [W_1^Q\; \cdots\; W_h^Q] \in \mathbb{R}^{d \times d}$, and likewise $W^K$ and $W^V$.":
# siblings of the letter just declared (the same letter, another tag or index), of its shape
_LIKEWISE = re.compile(
    r"\$(?P<decl>[^$]{1,200})\$\s*[,;]?\s*(?:and\s+)?(?:likewise|similarly)(?:\s+for)?\s+"
    + _M.format("sym")
    + r"(?:,\s*"
    + _M.format("sym2")
    + r")?(?:,?\s+and\s+"
    + _M.format("sym3")
    + r")?\s*(?=[.;]|$)"
)


def _likewise(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Declare the siblings a sentence gives the shape of the letter declared just before
    ("and likewise $W^K$ and $W^V$"): only the same letter in the same font, tagged or indexed
    otherwise (never another letter: "similarly $b$" may be anything)."""
    for m in _LIKEWISE.finditer(text, lo, hi):
        row = _row_at(rows, m.start("decl"))
        tree = row.tree if row is not None else None
        if not isinstance(tree, t.Chain) or tree.relations[-1] not in ("\\in", "∈"):
            continue
        shape = space_shape(tree.items[-1])
        declared = tree.items[0]
        letter = _letter_of(declared) if declared is not None else None
        if shape is None or letter is None or declared is letter:
            continue
        for group in ("sym", "sym2", "sym3"):
            if m.start(group) < 0:
                continue
            (sym,) = _items(rows, m.start(group))[:1] or [None]
            if sym is None or sym is _letter_of(sym) or _same(_letter_of(sym), letter) is False:
                continue
            key = _sibling_key(sym)
            if key is not None:
                table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "prose"))


def _letter_of(node: t.Node) -> t.Node | None:
    """The letter under a node's tags and indices (``W`` of ``W^Q``, ``W_i^Q``)."""
    while isinstance(node, t.Sub | t.Tagged | t.Power):
        node = node.base
    return node if isinstance(node, t.Symbol) else None


def _same(a: t.Node | None, b: t.Node) -> bool:
    return (
        isinstance(a, t.Symbol) and isinstance(b, t.Symbol) and a.name == b.name
        and a.font == b.font and a.accents == b.accents
    )  # fmt: skip


def _sibling_key(sym: t.Node) -> tuple[str, str | None] | None:
    r"""The key of ``W^K`` (a capital tag, which elsewhere may be a power: here the sentence
    names it a sibling of ``W^Q``), ``W_2``, ``W^{(2)}``."""
    if isinstance(sym, t.Power) and isinstance(sym.exponent, t.Symbol):
        tag = sym.exponent
        if tag.font is None and not tag.accents and len(tag.name) == 1 and tag.name.isupper():
            if tag.name != "T":
                return symbol_key(t.Tagged(sym.base, tag, "", start=sym.start, end=sym.end))
        return None
    return member_key(sym) or tag_key(sym)


# "$W_1$, $W_2$ and $W_3$ are $a \times b$, $b \times c$ and $c \times d$ matrices,
# respectively": the letters before the verb, the sizes after it, paired in order
_MATH_SPAN = re.compile(r"\$(?P<m>[^$]{1,80})\$")
_RESPECTIVE_VERB = re.compile(
    r"\s+(?:are|have\s+(?:sizes|shapes|dimensions))\s+(?:of\s+(?:sizes?|shapes?|dimensions?)\s+|in\s+)?"
)
_LIST_GLUE = re.compile(r"^(?:\s|,|\band\b)*$")
_RESPECTIVE_TAIL = re.compile(
    r"^\s*(?:(?P<kind>matrices|vectors|(?:[- ]dimensional\s+)?vectors?|[- ]dimensional))?\s*,?\s*$"
)


def _respectively(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Declare the letters a sentence sizes in order ("…, respectively")."""
    for m in re.finditer(r"\brespectively\b", text[lo:hi]):
        at = lo + m.start()
        start = sentence_start(text, max(lo, at - SENTENCE_LOOKBACK), at)
        sentence = text[start:at]
        verb = None
        for v in _RESPECTIVE_VERB.finditer(sentence):
            verb = v  # (the last verb: "where …, the weights $A$ and $B$ are …")
        if verb is None:
            continue
        before = list(_MATH_SPAN.finditer(sentence, 0, verb.start()))
        sizes = list(_MATH_SPAN.finditer(sentence, verb.end()))
        if not before or not sizes or sentence[before[-1].end() : verb.start()].strip():
            continue
        subject = [before[-1]]  # the run of math just before the verb, joined by "," and "and"
        for g in reversed(before[:-1]):
            if not _LIST_GLUE.match(sentence[g.end() : subject[0].start()]):
                break
            subject.insert(0, g)
        if not all(_LIST_GLUE.match(sentence[a.end() : b.start()]) for a, b in pairwise(sizes)):
            continue
        if sentence[verb.end() : sizes[0].start()].strip():
            continue
        tail = _RESPECTIVE_TAIL.match(sentence[sizes[-1].end() :])
        if tail is None:
            continue
        said = tail["kind"] or ""
        kind = "vector" if "vector" in said or "dimensional" in said else "matrix"
        letters = [n for g in subject for n in _items(rows, start + g.start("m"))]
        dims = [n for g in sizes for n in _items(rows, start + g.start("m"))]
        if len(letters) < 2 or len(letters) != len(dims) or None in letters or None in dims:
            continue
        for sym, d in zip(letters, dims, strict=True):
            shape = space_shape(d) or dims_shape(d, kind)  # (\mathbb{R}^n, or n \times m)
            key = symbol_key(sym) if sym is not None else None
            if shape is not None and key is not None and sym is not None:
                table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "prose"))


# "$\Sigma_{xx}$, $\Sigma_{yy}$ and the cross-covariance $\Sigma_{xy}$, of sizes $p \times p$,
# $q \times q$ and $p \times q$": an apposition listing as many sizes as the letters before it,
# paired in order as "respectively" pairs them (each size a product or a space: "groups of
# sizes $n_1, \dots, n_g$" lists counts, no shapes)
_OF_SIZES = re.compile(r"\$,\s+of\s+(?:sizes|shapes|dimensions)\s+(?=\$)")
_SIZES_TAIL = re.compile(r"\s*(?:[,;.:)]|\s(?:with|where|and|so|which|are|is)\b|$)")


def _of_sizes(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Declare the letters an apposition ", of sizes …" sizes in order."""
    for m in _OF_SIZES.finditer(text, lo, hi):
        start = sentence_start(text, max(lo, m.start() - SENTENCE_LOOKBACK), m.start())
        stop = next_break(text, m.end(), hi)
        end = stop.start() if stop is not None else hi
        sizes = [_MATH_SPAN.match(text, m.end(), end)]
        while sizes[-1] is not None:
            glue = re.compile(r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?=\$)").match(
                text, sizes[-1].end(), end
            )
            sizes.append(_MATH_SPAN.match(text, glue.end(), end) if glue else None)
        spans = [g for g in sizes if g is not None]
        if len(spans) < 2 or not _SIZES_TAIL.match(text, spans[-1].end(), end + 1):
            continue
        subject = _listed_before(text, start, m.start() + 1, len(spans))
        letters = [_named_by(rows, g.start("m")) for g in subject]
        dims = [(_items(rows, g.start("m")) or [None])[0] for g in spans]
        if len(letters) != len(dims) or None in letters or None in dims:
            continue
        shapes = [space_shape(d) or dims_shape(d, "matrix") for d in dims]
        if None in shapes:
            continue  # (every size a shape, or none is read)
        for sym, shape in zip(letters, shapes, strict=True):
            key = symbol_key(sym) if sym is not None else None
            if shape is not None and key is not None and sym is not None:
                table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "prose"))


def _listed_before(text: str, start: int, at: int, count: int) -> list[re.Match[str]]:
    r"""The math spans of the list that ends just before ``at`` (each after ", ", " and "
    and up to three words: "and the cross-covariance $\Sigma_{xy}$"), if it holds at most
    ``count``; none if it holds more."""
    spans = list(_MATH_SPAN.finditer(text, start, at))
    if not spans or spans[-1].end() != at:
        return []
    listed = [spans[-1]]
    for g in reversed(spans[:-1]):
        if not _LIST_GAP.match(text[g.end() : listed[0].start()]):
            break
        if len(listed) == count:
            return []  # (a longer list: which of its letters are sized?)
        listed.insert(0, g)
    return listed


def _named_by(rows: list[PlacedRow], offset: int) -> t.Node | None:
    r"""The letter a math span names: itself, or the left side of its definition
    (``\Sigma_{xx} = \Cov(\x)``)."""
    items = _items(rows, offset)
    if len(items) != 1:
        return None
    node = items[0]
    if isinstance(node, t.Chain) and node.relations[:1] in (("=",), (":=",), ("\\coloneqq",)):
        node = node.items[0]
    if isinstance(node, (t.Symbol, t.Sub, t.Tagged)):
        return node
    return None


def _items(rows: list[PlacedRow], offset: int) -> list[t.Node | None]:
    """The items of the math at ``offset`` (a list ``W_1, W_2``) or the math itself."""
    row = _row_at(rows, offset)
    tree = row.tree if row is not None else None
    if tree is None:
        return [None]
    return list(tree.items) if isinstance(tree, t.List) else [tree]


# "Collect $P_k = [p_0, \dots]$ and $R_k = [r_0, \dots]$, both in $\mathbb{R}^{n \times k}$"
_BOTH_IN = re.compile(
    _M.format("sym")
    + r"(?:,\s*|\s+and\s+)"
    + _M.format("sym2")
    + r",?\s+(?:are\s+)?(?:both|each)\s+(?:in|from|belonging\s+to)\s+"
    + _M.format("dims")
)


def _both_in(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Declare the two symbols (or the two defined by equations) a sentence puts in one space."""
    for m in _BOTH_IN.finditer(text, lo, hi):
        row = _row_at(rows, m.start("dims"))
        shape = space_shape(row.tree) if row is not None else None
        if shape is None:
            continue
        for group in ("sym", "sym2"):
            found = _row_at(rows, m.start(group))
            sym = found.tree if found is not None else None
            if isinstance(sym, t.Chain) and sym.relations[0] in ("=", ":=", "\\coloneqq"):
                sym = sym.items[0]  # "$P_k = [p_0, \dots, p_{k-1}]$"
            key = member_key(sym) if sym is not None else None  # (\hat{x}_k^- too)
            if key is not None and sym is not None:
                table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "prose"))


# "An anchor $\mathbf a$, a positive $\mathbf p$ and a negative $\mathbf n$, all in
# $\mathbb{R}^d$": the letters a list names, each after a few words, put in one space
_LISTED_ALL_IN = re.compile(
    r",?\s+(?:all|each)\s+(?:of\s+them\s+)?(?:in|from)\s+" + _M.format("dims")
)
# what may stand before a listed letter: ", a positive", " and a negative", ", "
_LIST_GAP = re.compile(r"(?:,\s*(?:and\s+)?|\s+and\s+)(?:[A-Za-z-]+\s+){0,3}$")
_LISTED = 4  # letters a list names at most


def _listed_all_in(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Declare the letters (two to four, each a math span of its own) a list names just
    before ", all in $\\mathbb{R}^d$"."""
    for m in _LISTED_ALL_IN.finditer(text, lo, hi):
        row = _row_at(rows, m.start("dims"))
        shape = space_shape(row.tree) if row is not None and row.tree is not None else None
        if shape is None:
            continue
        letters: list[t.Node] = []
        at = m.start()
        while len(letters) < _LISTED:
            close = at - 1
            if close < lo or text[close] != "$" or close == 0 or text[close - 1] == "$":
                break
            opened = text.rfind("$", lo, close)
            found = _row_at(rows, opened + 1) if opened >= 0 else None
            sym = found.tree if found is not None else None
            if sym is None or symbol_key(sym) is None:
                break
            letters.append(sym)
            gap = _LIST_GAP.search(text, max(lo, opened - 40), opened)
            if gap is None or gap.end() != opened:
                break
            at = gap.start()
        if len(letters) < 2:
            continue
        for sym in letters:
            key = symbol_key(sym)
            if key is not None:
                table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "prose"))


# "… \end{aligned} $$ all in $\mathbb{R}^{n_h}$": the letters a display defines, put in one
# space by the words just after it (in the display's paragraph or at the start of the next)
_ALL_IN = (
    r"\s*(?:[,.;]\s*)?(?:(?:which\s+|that\s+)?are\s+)?(?:all|each|both)\s+(?:of\s+them\s+)?"
    r"(?:(?:lie|lying|belong|belonging)\s+)?(?:in|to)\s+" + _M.format("dims")
)
LEADING_ALL_IN = re.compile(_ALL_IN)
_DISPLAY_ALL_IN = re.compile(
    r"(?P<close>\$\$|\\\]|\\end\{(?P<env>equation|align|alignat|gather|multline|eqnarray)\*?\})"
    + _ALL_IN
)
_ALL_IN_WORDS = ("all in", "each in", "both in", "all lie", "each lie", "all belong")
# what a display's row names on the left of its definitions
_DEFINES = frozenset({"=", ":=", "\\coloneqq", "\\triangleq", "\\equiv", "\\defeq"})


def displays_all_in(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    r"""Declare the letters each display of ``text[lo:hi]`` defines (``\delta^h_t = …``, one
    row each) that the words just after it put in one space ("… $$ all in
    $\mathbb{R}^{n_h}$"); ``rows`` are the rows of ``text[lo:hi]``, by start."""
    chunk = text[lo:hi]
    if not any(w in chunk for w in _ALL_IN_WORDS):
        return
    starts = [r.start for r in rows]
    for m in _DISPLAY_ALL_IN.finditer(text, lo, hi):
        env = m["env"]
        opener = "$$" if m["close"] == "$$" else "\\[" if env is None else "\\begin{" + env
        top = text.rfind(opener, lo, m.start())
        row = _row_at(rows, m.start("dims"))
        shape = space_shape(row.tree) if row is not None and row.tree is not None else None
        if top < 0 or shape is None:
            continue
        i, j = bisect.bisect_left(starts, top), bisect.bisect_left(starts, m.start())
        named = [_defined_letter(r.tree) for r in rows[i:j]]
        if not named or any(n is None for n in named):
            continue  # (a row that defines no letter: "all" may say something else)
        for sym in named:
            key = member_key(sym) or iterate_key(sym) or tag_key(sym)  # type: ignore[arg-type]
            if key is not None:
                table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "prose"))  # type: ignore[union-attr]


def _defined_letter(tree: t.Node | None) -> t.Node | None:
    r"""The letter a display's row defines (``\delta^h_t`` of ``\delta^h_t = …``), if it is one."""
    if not isinstance(tree, t.Chain) or tree.relations[0] not in _DEFINES:
        return None
    left = tree.items[0]
    if left is None or isinstance(left, (t.List, t.Apply)):
        return None
    return left if member_key(left) or iterate_key(left) or tag_key(left) else None


# "$\pi \in \Delta^{s-1}$ its stationary distribution, written as a row vector", "$\pi$ is
# a row vector": the vector a space declares is a row (no other math between)
_ROW_VECTOR = re.compile(
    _M.format("sym")
    + r"(?:[^$.;:]{0,80}?(?:,\s*|\s+)(?:(?:written|taken|treated|viewed|regarded|considered|seen)\s+)?as"
    r"|\s+(?:is|be|denotes)|,)\s+an?\s+row\s+vector\b"
)


def _row_vectors(
    text: str, path: str, rows: list[PlacedRow], table: SymbolTable, lo: int, hi: int
) -> None:
    """Add a row declaration (``how="row"``) for each vector a sentence says is a row:
    ``collect`` lets it replace the column its space declares at the same place."""
    for m in _ROW_VECTOR.finditer(text, lo, hi):
        row = _row_at(rows, m.start("sym"))
        if row is None or row.tree is None:
            continue
        scratch = SymbolTable()
        from_formula(row.tree, path, scratch)
        for decls in scratch.declarations.values():
            for d in decls:
                if d.shape.cols == ONE and not same(d.shape.rows, ONE):
                    table.add(replace(d, shape=Shape(ONE, d.shape.rows), how="row"))


def _declare(
    table: SymbolTable, sym: t.Node, shape: Shape, kind: str, path: str,
    seen: set[tuple[int, tuple[str, str | None]]],
) -> None:  # fmt: skip
    """Declare what a prose match says of ``sym`` (once, whichever patterns say it)."""
    for key in _declared_keys(sym):
        if key is None or (sym.start, key) in seen:
            continue
        seen.add((sym.start, key))
        table.add(Declaration(key[0], key[1], shape, path, sym.start, sym.end, "prose",
                              symmetric="symmetric" in kind, positive_definite="definite" in kind))  # fmt: skip


def _declared_keys(sym: t.Node) -> list[tuple[str, str | None] | None]:
    """The keys a prose declaration of ``sym`` gives: its own (``$\\mathbf{1}$ is the all-ones
    vector …``), or a signal's letter and its samples ("the state $h(t)$ is an
    $N$-dimensional vector": h, and h_t)."""
    letter = signal_letter(sym)
    if letter is not None:
        return [symbol_key(letter), sampled(letter, sym)]
    # (``K^{x} = k(X, X)``, an $n \times n$ matrix: a letter tagged by a superscript letter,
    # a name as a formula's declaration reads it)
    return [symbol_key(sym) or ones_key(sym) or tag_key(sym)]


def _sized_otherwise(m: re.Match[str], shape: Shape, rows: list[PlacedRow]) -> bool:
    r"""Is the match's ``sym`` a membership that gives its letter another shape ("its read-out
    $C h_t$ with $C \in \mathbb{R}^{P \times N}$ is a $P$-vector": what is said is of the
    read-out, the letter is sized where it is written)?"""
    if m.groupdict().get("sym") is None:
        return False
    row = _row_at(rows, m.start("sym"))
    tree = row.tree if row is not None else None
    if not isinstance(tree, t.Chain) or tree.relations[0] not in ("\\in", "∈"):
        return False
    own = space_shape(tree.items[1])
    return own is not None and not own.agrees(shape)


def _prose_shape(m: re.Match[str], kind: str, rows: list[PlacedRow]) -> Shape | None:
    """The shape a prose pattern's match gives: a scalar, or its ``dims`` math read as ``kind``
    (None for a letter its own membership sizes otherwise)."""
    shape = _said_shape(m, kind, rows)
    return None if shape is None or _sized_otherwise(m, shape, rows) else shape


def _said_shape(m: re.Match[str], kind: str, rows: list[PlacedRow]) -> Shape | None:
    if kind == "scalar":
        return SCALAR
    dims_row = _row_at(rows, m.start("dims"))
    if m.groupdict().get("space") is not None:  # "a vector in $\mathbb{R}^m$": a space only
        return space_shape(dims_row.tree) if dims_row is not None else None
    if m.groupdict().get("dimsb") is not None:  # "$m$ by $n$"
        cols_row = _row_at(rows, m.start("dimsb"))
        r = dim_of(dims_row.tree) if dims_row and dims_row.tree else None
        c = dim_of(cols_row.tree) if cols_row and cols_row.tree else None
        return Shape(r, c) if r is not None and c is not None else None
    return dims_shape(dims_row.tree if dims_row else None, kind)


_DEFINING = frozenset({"=", ":=", "\\coloneqq", "\\triangleq", "\\equiv", "\\in"})


def _refreshed(m: re.Match[str]) -> bool:
    """Does a pattern's match size a definition, which may give a letter a new (wrong) value?"""
    if m.groupdict().get("fresh") is None:
        return False
    defsym = m.groupdict().get("defsym")
    return defsym is None or "=" in defsym


def _defined_before(
    text: str,
    sym: t.Node,
    at: int,
    lo: int = 0,
    looked_back: list[tuple[str, int, bool]] | None = None,
) -> bool:
    """Is the letter ``sym`` set equal to something in the sentences just before ``at``, or
    earlier in its paragraph (which starts at ``lo``)?  Where the sentences just before
    reach before ``lo`` (the paragraph before it: text an edit may change while this
    paragraph stays as it was), the question and its answer are added to ``looked_back``
    (``at`` relative to ``lo``)."""
    letter = text[sym.start : sym.end]
    answer = defined_before(text, letter, at, lo)
    if looked_back is not None and at - SENTENCE_LOOKBACK < lo:
        looked_back.append((letter, at - lo, answer))
    return answer


def defined_before(text: str, letter: str, at: int, lo: int) -> bool:
    """Is ``letter`` set equal to something in ``text`` in the sentences just before ``at``
    (up to SENTENCE_LOOKBACK before it), or from ``lo`` on?"""
    before = text[max(0, min(lo, at - SENTENCE_LOOKBACK)) : at]
    return re.search(re.escape(letter) + r"\s*(?:=|\\coloneqq|\\triangleq)", before) is not None


def _entry(node: t.Node) -> bool:
    """``K_{ij}``, ``A_{i,j}``: a matrix written by its entries."""
    if not isinstance(node, t.Sub) or not isinstance(node.base, t.Symbol):
        return False
    parts = index_parts(node.index)
    return len(parts) == 2 and all(
        isinstance(p, t.Symbol) and p.name in ("i", "j", "k", "l") for p in parts
    )


def _prose_symbols(m: re.Match[str], rows: list[PlacedRow]) -> Iterator[t.Node]:
    """The symbols a prose pattern's match declares (the trees of its ``sym`` groups)."""
    for group in ("sym", "defsym", "defsym2", "defsym3", "lsym", "sym2", "sym3"):
        if m.groupdict().get(group) is None:
            continue
        sym_row = _row_at(rows, m.start(group))
        if sym_row is None or sym_row.tree is None:
            continue
        sym = sym_row.tree
        if group == "lsym" and isinstance(sym, t.List):
            yield from (i for i in sym.items if i is not None)  # "$\\gamma, \\beta$ scalars"
            continue
        if isinstance(sym, t.Chain) and group in ("lsym", "sym2", "sym3"):
            continue  # "scalars $\\gamma$ and $A \\in …$": A is no scalar of the list
        if isinstance(sym, t.Chain) and sym.items[0] is not None:
            if group.startswith("defsym") and sym.relations[0] not in _DEFINING:
                continue  # "$x \\le y$, a vector …" defines nothing
            sym = sym.items[0]  # "let $\\lambda > 0$ be a scalar", "$K_* = k(X, X_*)$, an …"
        yield sym


def _equated_symbols(
    m: re.Match[str], rows: list[PlacedRow], shape: Shape
) -> Iterator[tuple[t.Node, Shape]]:
    r"""The letters a sized chain of equalities sets equal to its first ("$\Sigma_{xy} =
    \Sigma_{yx}^{\mathsf T} = \E[\mathbf{x}\mathbf{y}^{\mathsf T}]$ is $p \times q$":
    \Sigma_{yx} is q×p), with their shapes: a letter has the shape said, a transposed letter
    its transpose (a matrix only: ``x_i^\top`` loosely written for a row is unsure)."""
    if m.groupdict().get("sym") is None:
        return
    row = _row_at(rows, m.start("sym"))
    tree = row.tree if row is not None else None
    if not isinstance(tree, t.Chain) or any(r != "=" for r in tree.relations):
        return
    for item in tree.items[1:]:
        if isinstance(item, t.Transpose) and ONE not in (shape.rows, shape.cols):
            item, own = item.base, shape.transposed()
        else:
            own = shape
        if isinstance(item, (t.Symbol, t.Sub)) and symbol_key(item) is not None:
            yield item, own


# -- texgrad comments ----------------------------------------------------------------

_COMMENT = re.compile(
    # a LaTeX comment ends at the end of its line; a Markdown one may span lines
    r"^[ \t]*%+[ \t]*texgrad:(?P<body>[^\n]*)$|<!--\s*texgrad:(?P<mbody>.*?)-->",
    re.M | re.S,
)
_ENTRY = re.compile(
    r"(?P<name>\\?[A-Za-z]+(?:_\{?\w+\}?)?)\s+(?P<dims>scalar|[\w+]+(?:\s*(?:×|x|\\times)\s*[\w+]+)?)"
)
_GREEK_NAMES = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split()
)


def from_comments(text: str, path: str, table: SymbolTable) -> None:
    if "texgrad:" not in text:
        return
    for m in _COMMENT.finditer(text):
        group = "body" if m.group("body") is not None else "mbody"
        body, offset = m.group(group), m.start(group)
        for e in _ENTRY.finditer(body):
            name = e.group("name")
            if name in _GREEK_NAMES:
                name = "\\" + name
            dims = e.group("dims")
            if dims == "scalar":
                shape: Shape | None = SCALAR
            else:
                parsed = parse_row(
                    MappedText.identity(dims.replace("×", " \\times ").replace(" x ", " \\times "))
                )
                shape = dims_shape(parsed.tree, "vector")
            if shape is None:
                continue
            start = offset + e.start("name")
            table.add(
                Declaration(name, None, shape, path, start, start + len(e.group("name")), "comment")
            )


# -- families sized by a matrix's rows or columns ------------------------------------------

_PART = r"(?P<part>rows?|columns?)"
# a noun before the members: "the samples $x_i^\top$", "the feature vectors $x_i$"
_MEMBERS_NOUN = (
    r"(?:(?:vectors|samples|observations|inputs|examples|points|data\s+points|feature\s+vectors"
    r"|factors|embeddings|items|users)\s+)?"
)
# "with $u_j$ and $v_j$ the columns of $U$ and $V$": members paired with matrices in turn,
# not all with the first
_NOT_PAIRED = r"(?!\s*(?:and|\\text\{\s*and\s*\})\s*\$)"
_FAMILY = [
    # "$X \in \mathbb{R}^{N \times d}$ stacks the $\mathbf{x}_i^\top$ as rows"
    # (also "$X \in …$, which stacks the $x_i^\top$ as rows")
    re.compile(_M.format("matrix") + r",?\s+(?:(?:which|that)\s+)?(?:stacks?|collects?|has|holds?|contains?)\s+(?:the\s+)?"
               + _M.format("member") + r"\s+as\s+(?:its\s+)?" + _PART),
    # "…, whose rows are $x_i^\top$", "with rows $\mathbf{x}_1^\top, \dots, \mathbf{x}_N^\top$"
    # (also "$X$ is the $n \times p$ design matrix, whose rows are the $x_i^\top$", and
    # "let $X \in …$ have rows $\mathbf{x}_i^\top$")
    re.compile(_M.format("matrix") + r"(?:\s+(?:be|is)\s+(?:an?|the)(?:\s+\$[^$]{1,40}\$)?(?:[\s-]+[A-Za-z]+){1,3})?"
               + r",?\s+(?:whose|with|ha(?:ve|s))\s+(?:the\s+)?" + _PART
               + r"\s+(?:are\s+)?(?:the\s+)?(?:vectors\s+)?" + _M.format("member")),
    # "let $X$ be an $n \times p$ matrix whose $i$-th row is the observation $\mathbf{x}_i^\top$",
    # "$X \in …$, whose $i$-th row is $x_i^\top$"
    # (also "let $X$ be the design matrix, whose …": the size not said there)
    re.compile(_M.format("matrix") + r"(?:\s+(?:be|is)\s+(?:an?|the)(?:\s+\$[^$]{1,40}\$)?(?:[\s-]+[A-Za-z]+){1,3})?"
               + r",?\s+whose\s+\$[^$]{1,8}\$(?:-?th)?\s+" + _PART
               + r"\s+is\s+(?:the\s+|an?\s+)?(?:[A-Za-z]+\s+){0,2}?" + _M.format("member")),
    # "$X \in \mathbb{R}^{n\times d}$ (rows $\x_i^\top$)", "$V$ (whose columns are $\mathbf v_j$)":
    # the members named in brackets right after the matrix
    re.compile(_M.format("matrix") + r"\s*\((?:with\s+|whose\s+)?(?:the\s+|its\s+)?" + _PART
               + r"\s+(?:are\s+)?(?:the\s+)?" + _MEMBERS_NOUN + _M.format("member") + r"\s*\)"),
    # "$\mathbf{x}_i^\top$ is the $i$-th row of $X$" (also "let $c_j$ be the $j$-th column of $A$")
    re.compile(_M.format("member") + r"\s+(?:is|be|denotes)\s+the\s+\$\$?[^$]{1,8}\$\$?(?:-?th)?\s+" + _PART
               + r"\s+of\s+" + _M.format("matrix")),
    # "the $i$-th row of $X$ is $\mathbf{x}_i^\top$", "The $j$th column of $V$ is $v_j$"
    re.compile(r"\b[Tt]he\s+\$\$?[^$]{1,8}\$\$?(?:-?th)?\s+" + _PART + r"\s+of\s+" + _M.format("matrix")
               + r"\s+(?:is|denotes|we\s+(?:write|denote)(?:\s+by)?|is\s+written|is\s+denoted(?:\s+by)?)\s+(?:the\s+vector\s+)?"
               + _M.format("member")),
    # "$n$ observations $x_1, \dots, x_n$, stacked as the rows of $X \in …$": the vectors
    # themselves are stacked (a row is a member transposed, written or not)
    re.compile(_M.format("member") + r",?\s+(?P<stacked>stacked|arranged|stored|collected|gathered)\s+"
               + r"(?:as|in|into)\s+(?:the\s+)?" + _PART + r"\s+of\s+(?:the\s+|a\s+)?(?:matrix\s+)?"
               + _M.format("matrix")),
    # "the rows of $V$ are the $\mathbf{v}_j^\top$"
    # (also "the rows of $X$ are the samples $x_i^\top$": a noun naming the members)
    re.compile(r"\b[Tt]he\s+" + _PART + r"\s+of\s+" + _M.format("matrix") + r"\s+(?P<stacked>are)\s+(?:the\s+)?"
               + _MEMBERS_NOUN + _M.format("member")),
    # "the $\mathbf{v}_j^\top$ are the rows of $V$", "the $v_j$ are the columns of $V \in …$"
    # (also "the samples $\mathbf{x}_i^\top$ are the rows of $X$")
    re.compile(r"\b[Tt]he\s+" + _MEMBERS_NOUN + _M.format("member") + r"\s+(?P<stacked>are)\s+(?:the\s+)?" + _PART
               + r"\s+of\s+(?:the\s+)?(?:matrix\s+)?" + _M.format("matrix")),
    # "… and $\mathbf a_i^\top$ the rows of $A$" (a clause without its verb; also "and
    # $\mathbf{k}_j^\top$ the $j$-th row of $K$")
    re.compile(r"\b(?:[Ww]ith|and)\s+(?:the\s+)?" + _MEMBERS_NOUN + _M.format("member")
               + r"\s+(?P<stacked>the)\s+(?:\$[^$]{1,8}\$(?:-?th)?\s+)?" + _PART
               + r"\s+of\s+(?:the\s+)?(?:matrix\s+)?"
               + _M.format("matrix") + _NOT_PAIRED),
    # "with the rows $\vec{x}_i^\top$ of $X$", "and the columns $v_j$ of $V$" (also "and
    # rows $\mathbf{a}_j^\top$ of $A$", without "the")
    re.compile(r"\b(?:[Ww]ith|and|where)\s+(?:the\s+)?" + _PART + r"\s+" + _M.format("member")
               + r"\s+of\s+(?:the\s+)?(?:matrix\s+)?" + _M.format("matrix") + _NOT_PAIRED),
    # "Per output column $\mathbf v_j$ of $V$", "for each row $\mathbf x_i^\top$ of $X$"
    re.compile(r"\b(?:[Pp]er|[Ff]or\s+(?:each|every|the))\s+(?:[a-z]+\s+)?" + _PART + r"\s+"
               + _M.format("member") + r"\s+of\s+(?:the\s+)?(?:matrix\s+)?" + _M.format("matrix")
               + _NOT_PAIRED),
    # "Writing $\mathbf w_k$ for the $k$-th column of $W$" (also "write … for", "denote by …")
    re.compile(r"\b(?:[Ww]riting|[Ww]rite|[Dd]enot(?:e|ing)\s+by)\s+" + _M.format("member")
               + r"\s+for\s+the\s+(?:\$[^$]{1,8}\$(?:-?th)?\s+)?" + _PART
               + r"\s+of\s+(?:the\s+)?(?:matrix\s+)?" + _M.format("matrix") + _NOT_PAIRED),
    # "where $\mathbf a_i^\top$ are the rows of $A$" (Boyd)
    re.compile(r"\b(?:with|where)\s+(?:the\s+)?" + _MEMBERS_NOUN + _M.format("member")
               + r"\s+(?P<stacked>are|being)\s+the\s+" + _PART
               + r"\s+of\s+(?:the\s+)?(?:matrix\s+)?" + _M.format("matrix") + _NOT_PAIRED),
    # German: "wobei $\mathbf m_i^\top$ die Zeilen von $M$ sind", "mit $\mathbf a_i^\top$ den
    # Zeilen von $A$"
    re.compile(r"\b(?:[Ww]obei|[Mm]it|und)\s+(?:die\s+|den\s+)?(?:Vektoren\s+)?" + _M.format("member")
               + r"\s+(?P<stacked>die|den)\s+(?P<part>Zeilen|Spalten)\s+(?:von|der\s+Matrix)\s+"
               + _M.format("matrix") + r"(?!\s*(?:und|,)\s*\$)"),
    # Chinese: "$X$ 的第 $i$ 行为 $x_i^\top$", "$X \in …$，其第 $i$ 行是 $x_i^\top$" (其: its)
    re.compile(_M.format("matrix") + r"\s*(?:的|[，,、]\s*(?:且|并且|而)?\s*其)\s*第\s*\$[^$]{1,8}\$\s*"
               + r"(?P<part>行|列)\s*(?:为|為|是|记为|記為)\s*(?:向量\s*)?" + _M.format("member")),
]  # fmt: skip


# "$n$ observations $x_1, \dots, x_n$": samples of x (a vector), each a vector like x
_SAMPLES = re.compile(
    r"\b(?:observations|samples|data\s+points|draws|reali[sz]ations)\s+(?:of\s+\S+\s+)?"
    + _M.format("member")
)

_SAMPLE_WORDS = ("observation", "sample", "data", "draws", "realis", "realiz")

# "targets $t_1, \dots, t_N$", "labels $y_1, \dots, y_n$": numbers, one per sample (in a
# plain letter: "target vectors $\mathbf{t}_1, \dots$" are not read)
_NUMBERS = re.compile(
    r"\b(?:(?:scalar\s+)?(?:targets|labels|responses|target\s+values)|scalars)\s+"
    + _M.format("member")
)

# "a mini-batch of $m$ values $x_1, \dots, x_m$", "scalar values $a_1, \dots, a_n$": numbers
# (counted, or said scalar or real: not the value vectors of attention, "values $v_1, \dots$")
_VALUES = re.compile(r"(?:\$[^$\s]{1,12}\$|\bscalar|\breal)\s+values\s+" + _M.format("member"))

_ATTENTION = re.compile(r"\b(?:[Kk]eys?|[Qq]uer(?:y|ies)|[Aa]ttention)\b")


def _sentence_before(text: str, m: re.Match[str]) -> str:
    """The text of ``m``'s sentence before it (at most 300 characters back)."""
    before = text[max(0, m.start() - 300) : m.start()]
    return re.split(r"[.!?]\s|\n\s*\n", before)[-1]


# "upstream gradients $g_i$, one per value": one number for each value above (read only
# after values the prose names numbers, _VALUES)
_ONE_PER_VALUE = re.compile(
    _M.format("member") + r",?\s+one\s+(?:per|for\s+each)\s+(?:such\s+)?value\b"
)

# "weights $w^{(i)}$ (scalars)", "$w_i$ (a scalar each)": members said to be numbers
_SAID_SCALARS = re.compile(
    _M.format("member") + r"\s*\((?:scalars|numbers|(?:each\s+)?a\s+scalar(?:\s+each)?)\)"
)


class Family(NamedTuple):
    """A family sized by a matrix's rows or columns ("whose rows are $x_i^\\top$"): its
    member's key and font and where it is written, the matrix's key and font and where it
    is written, and which part ("row" or "column") each member is."""

    key: str
    font: str | None
    start: int
    end: int
    matrix: tuple[str, str | None]
    at: int
    part: str  # "row", "column", "sample" (``matrix`` is then the vector sampled), "scalar",
    # "initial" (``matrix`` is then the letter whose initial value the member is),
    # "same" (the matrix's shape: "of the same size as $Z$")
    last: t.Node | None = None  # a sample list's last index: x_1, …, x_n is n samples
    matrix_end: int = -1  # where the matrix's letter ends (-1: not known)


# "Initialising it as $\mathbf{S}^{(0)} = \mathbf{I}_m - …$", "initialised at $W^{(0)}$": the
# initial value of a declared letter, of its shape (resolved as a family is: part "initial")
_INITIALISED = re.compile(r"\b[Ii]nitiali[sz](?:e|es|ed|ing)\b[^.;:$]{0,30}?\$(?P<m>[^$]{1,200})\$")


def _initial_values(text: str, rows: list[PlacedRow], lo: int, hi: int | None) -> list[Family]:
    r"""The initial values the text says it sets, ``S^{(0)}`` (the letter tagged (0), alone or
    the left side of an equation), as members of the declared ``S``."""
    out = []
    for m in _INITIALISED.finditer(text, lo, len(text) if hi is None else hi):
        (node,) = _items(rows, m.start("m"))[:1] or [None]
        if isinstance(node, t.Chain) and node.relations[:1] == ("=",):
            node = node.items[0]
        if not (
            isinstance(node, t.Tagged)
            and node.bracket == "("
            and isinstance(node.tag, t.Number)
            and node.tag.text == "0"
            and isinstance(node.base, t.Symbol)
        ):
            continue
        key, letter = symbol_key(node), symbol_key(node.base)
        if key is not None and letter is not None:
            out.append(Family(key[0], key[1], node.start, node.end, letter, node.start, "initial"))
    return out


def families(text: str, rows: list[PlacedRow], lo: int = 0, hi: int | None = None) -> list[Family]:
    """The families that the prose of ``text[lo:hi]`` sizes by a matrix (resolved once the
    matrix's declaration is known: :func:`family_declarations`)."""
    out = _samples(text, rows, lo, hi)
    chunk = text[lo:hi]  # (one copy of the paragraph for the cheap looks below)
    if "nitiali" in chunk:
        out += _initial_values(text, rows, lo, hi)
    if "the same " in chunk:
        out += _same_size(text, rows, lo, hi)
    if not any(w in chunk for w in ("row", "column", "Zeile", "Spalte", "行", "列")):
        return out
    if "\\(" in chunk:  # MkDocs' and MathJax's \( … \): as $ … $, at the same offsets
        text = text.replace("\\(", " $").replace("\\)", " $")
    out += _paired(text, rows, lo, hi)
    for pattern in _FAMILY:
        for m in pattern.finditer(text, lo, len(text) if hi is None else hi):
            matrix_row, member_row = (
                _row_at(rows, m.start("matrix")),
                _row_at(rows, m.start("member")),
            )
            if matrix_row is None or member_row is None:
                continue
            if m.groupdict().get("stacked") and m.start("member") < m.start("stacked"):
                member_row = _labelled_sample(text, rows, member_row)
            matrix = matrix_row.tree
            if isinstance(matrix, t.Chain) and matrix.relations[0] in ("\\in", "=", ":="):
                matrix = matrix.items[0]
            mkey = symbol_key(matrix) if matrix is not None else None
            if matrix is None or mkey is None:
                continue
            part = "row" if m.group("part").lower().startswith(("row", "zeil", "行")) else "column"
            out += [
                Family(k[0], k[1], s, e, mkey, matrix.start, part, matrix_end=matrix.end)
                for k, s, e in _members(
                    member_row.tree, part, m.groupdict().get("stacked") is not None
                )
            ]
    return out


# "with $\mathbf{a}_j, \mathbf{b}_j$ the $j$-th columns of $A$ and $B$", "where $u_j$ and
# $v_j$ are the columns of $U$ and $V$", "Here $\mathbf y_i^\top$ and $\mathbf p_i^\top$ are the
# $i$-th rows of $Y$ and $P$": members paired with matrices in turn
_PAIRED = re.compile(
    r"(?:\b(?:[Ww]ith|and|[Ww]here|[Hh]ere,?)\s+|(?:^|(?<=[.:;]\s)))(?:the\s+)?"
    + _M.format("member")
    + r"(?:(?:\s*,\s*|\s+and\s+)"
    + _M.format("member2")
    + r")?"
    + r"\s+(?:are\s+|being\s+)?the\s+(?:\$[^$]{1,8}\$(?:-?th)?\s+)?(?P<part>rows|columns)\s+of\s+"
    + _M.format("matrix")
    + r"(?:(?:\s*,\s*|\s+and\s+)"
    + _M.format("matrix2")
    + r")?"
    + r"(?!\s*(?:,|and)\s*\$)"
)


def _paired(text: str, rows: list[PlacedRow], lo: int, hi: int | None) -> list[Family]:
    """The families of ``_PAIRED``: as many members as matrices, the k-th member a row or
    a column of the k-th matrix (none if the counts differ)."""
    out: list[Family] = []
    for m in _PAIRED.finditer(text, lo, len(text) if hi is None else hi):
        members = _listed(rows, m, "member", "member2")
        matrices = _listed(rows, m, "matrix", "matrix2")
        if len(members) < 2 or len(members) != len(matrices):
            continue
        part = "row" if m.group("part").startswith("row") else "column"
        for member, matrix in zip(members, matrices, strict=True):
            mkey = symbol_key(matrix)
            if mkey is None:
                return out
            out += [
                Family(k[0], k[1], s, e, mkey, matrix.start, part, matrix_end=matrix.end)
                for k, s, e in _members(member, part)
            ]
    return out


def _listed(rows: list[PlacedRow], m: re.Match[str], *groups: str) -> list[t.Node]:
    """The items of the math of ``groups`` (a list ``a_j, b_j`` is its items)."""
    out: list[t.Node] = []
    for group in groups:
        if m.group(group) is None:
            continue
        row = _row_at(rows, m.start(group))
        tree = row.tree if row is not None else None
        if tree is None:
            return []
        out += list(tree.items) if isinstance(tree, t.List) else [tree]
    return out


# "samples $x_i$ with labels $y_i$, stacked as …": the words that make the math after them
# the samples' labels, not the samples
_LABELS_BEFORE = re.compile(
    r"(?:with|and)\s+(?:their\s+|the\s+)?(?:scalar\s+)?(?:labels|targets|responses|outcomes)\s+\$*$"
)


def _labelled_sample(text: str, rows: list[PlacedRow], member: PlacedRow) -> PlacedRow:
    """The math "stacked as the rows of $X$" follows: ``member``, unless it is the labels
    of the samples written just before them ("$x_i \\in …$ with labels $y_i$, stacked as
    …"), whose rows are then the ones stacked."""
    if not _LABELS_BEFORE.search(text, max(0, member.start - 40), member.start):
        return member
    i = bisect.bisect_left([r.start for r in rows], member.start) - 1
    return rows[i] if i >= 0 and member.start - rows[i].end < 60 else member


def _samples(text: str, rows: list[PlacedRow], lo: int, hi: int | None) -> list[Family]:
    """The lists of samples ``x_1, \\dots, x_n`` of a vector ``x`` the prose names (each a
    vector like x, where x is declared one of another length than the list's)."""
    out: list[Family] = _numbers(text, rows, lo, hi)
    chunk = text[lo:hi]
    if not any(w in chunk for w in _SAMPLE_WORDS):
        return out
    for m in _SAMPLES.finditer(text, lo, len(text) if hi is None else hi):
        row = _row_at(rows, m.start("member"))
        tree = row.tree if row is not None else None
        if not isinstance(tree, t.List) or not any(isinstance(i, t.Dots) for i in tree.items):
            continue  # "observations $x_1, \\dots, x_n \\in …$" declare themselves
        subs = [i for i in tree.items if not isinstance(i, t.Dots)]
        if len(subs) < 2 or not all(
            isinstance(i, t.Sub) and isinstance(i.base, t.Symbol) for i in subs
        ):
            continue
        bases = {symbol_key(i.base) for i in subs}  # type: ignore[attr-defined]
        base = bases.pop() if len(bases) == 1 else None
        if base is None:
            continue
        out += [
            Family(k[0], k[1], s, e, base, tree.start, "sample", subs[-1].index)  # type: ignore[attr-defined]
            for k, s, e in _members(tree, "column")
        ]
    return out


# "$G = \partial L / \partial Z$, of the same size as $Z$", "a matrix $E$ of the same shape
# as $X$": the letter has the other's shape (not "$A$ and $B$ of the same size", a supposition)
_SAME_SIZE = re.compile(
    _M.format("member")
    + r",?\s+(?:which\s+is\s+|is\s+|be\s+)?(?:of|with|ha(?:s|ve))\s+the\s+same\s+"
    r"(?:size|shape|dimensions)\s+as\s+(?:the\s+matrix\s+|the\s+vector\s+)?"
    + _M.format("matrix")
    + _NOT_PAIRED
)


def _same_size(text: str, rows: list[PlacedRow], lo: int, hi: int | None) -> list[Family]:
    """The letters ``_SAME_SIZE`` gives another's shape (part "same"): the left side of a
    definition written before the words, or the letter itself."""
    out: list[Family] = []
    for m in _SAME_SIZE.finditer(text, lo, len(text) if hi is None else hi):
        member_row, matrix_row = _row_at(rows, m.start("member")), _row_at(rows, m.start("matrix"))
        if member_row is None or matrix_row is None:
            continue
        member, matrix = member_row.tree, matrix_row.tree
        if isinstance(member, t.Chain) and member.relations[0] in ("=", ":="):
            member = member.items[0]
        if member is None or matrix is None:
            continue
        key, mkey = symbol_key(member), symbol_key(matrix)
        if key is None or mkey is None or key == mkey:
            continue
        out.append(
            Family(key[0], key[1], member.start, member.end, mkey, matrix.start, "same",
                   matrix_end=matrix.end)
        )  # fmt: skip
    return out


def _numbers(text: str, rows: list[PlacedRow], lo: int, hi: int | None) -> list[Family]:
    """The lists ``t_1, \\dots, t_N`` the prose names as targets or labels: each member a
    number (part "scalar"), written in a plain letter."""
    out: list[Family] = []
    for m in _SAID_SCALARS.finditer(text, lo, len(text) if hi is None else hi):
        row = _row_at(rows, m.start("member"))
        member = row.tree if row is not None else None
        if (isinstance(member, t.Sub) or (isinstance(member, t.Tagged) and member.bracket)) and (
            key := symbol_key(member)
        ) is not None:
            out.append(Family(key[0], key[1], member.start, member.end, key, member.start,
                              "scalar"))  # fmt: skip
    end = len(text) if hi is None else hi
    values = [
        m
        for m in _VALUES.finditer(text, lo, end)
        if _number_list(rows, m) is not None and not _ATTENTION.search(_sentence_before(text, m))
    ]
    if values:
        for m in _ONE_PER_VALUE.finditer(text, values[0].end(), end):
            row = _row_at(rows, m.start("member"))
            member = row.tree if row is not None else None
            if isinstance(member, t.Sub) and (key := symbol_key(member)) is not None:
                out.append(Family(key[0], key[1], member.start, member.end, key, member.start,
                                  "scalar"))  # fmt: skip
    for m in [*_NUMBERS.finditer(text, lo, end), *values]:
        listed = _number_list(rows, m)
        if listed is not None:
            tree, base = listed
            out += [
                Family(k[0], k[1], s, e, base, tree.start, "scalar")
                for k, s, e in _members(tree, "column")
            ]
    return out


def _number_list(
    rows: list[PlacedRow], m: re.Match[str]
) -> tuple[t.List, tuple[str, str | None]] | None:
    """The list ``t_1, \\dots, t_N`` of one plain letter a match's ``member`` writes, and that
    letter's key; None where it writes no such list."""
    row = _row_at(rows, m.start("member"))
    tree = row.tree if row is not None else None
    if not isinstance(tree, t.List) or not any(isinstance(i, t.Dots) for i in tree.items):
        return None
    subs = [i for i in tree.items if not isinstance(i, t.Dots)]
    if len(subs) < 2 or not all(
        isinstance(i, t.Sub) and isinstance(i.base, t.Symbol) and not i.base.font for i in subs
    ):
        return None
    bases = {symbol_key(i.base) for i in subs}  # type: ignore[attr-defined]
    base = bases.pop() if len(bases) == 1 else None
    return (tree, base) if base is not None else None


def _members(
    tree: t.Node | None, part: str, stacked: bool = False
) -> Iterator[tuple[tuple[str, str | None], int, int]]:
    """The members named: ``x_i^\\top`` for rows (a row is a transposed member), ``x_i`` for
    columns; each item of a list ``x_1^\\top, \\dots, x_N^\\top``, and then ``x_i`` too.
    Members ``stacked`` as rows are the vectors whose transposes are the rows: ``x_i`` too."""
    if isinstance(tree, t.Chain) and tree.relations and tree.relations[0] == "\\in":
        tree = tree.items[0]  # "$x_n \\in \\mathbb{R}^p$, stacked as the rows of $X$"
    items = tree.items if isinstance(tree, t.List) else (tree,)
    found = []
    for item in items:
        if part == "row":
            if isinstance(item, t.Transpose):
                item = item.base
            elif not stacked:
                continue
        elif isinstance(item, t.Transpose):
            continue
        if isinstance(item, t.Paren) and item.open == "(" and item.body is not None:
            item = item.body  # (\bm{x}^{(i)})^T: a member numbered by a superscript
        if (
            isinstance(item, t.Sub) or (isinstance(item, t.Tagged) and item.bracket in ("(", "["))
        ) and isinstance(item.base, t.Symbol):
            key = symbol_key(item)
            if key is not None:
                found.append((key, item.start, item.end, item))
    yield from ((k, s, e) for k, s, e, _ in found)
    if len(found) >= 2:  # x_1, …, x_N: the family x_i
        first = found[0][3]
        base = symbol_key(first.base)
        if base is not None and not any(k[0] == f"{base[0]}_{{i}}" for k, *_ in found):
            yield (f"{base[0]}_{{i}}", base[1]), first.start, first.end


def stacked_matrices(fams: list[Family], path: str, table: SymbolTable) -> list[Declaration]:
    r"""The matrices these families stack, declared nowhere, sized by their members: "the rows
    of $X$ are the $x_i^\top$" with ``x_1, \dots, x_n \in \mathbb{R}^d`` makes X n×d (and
    "the columns of $V$ are the $v_j$", d×n).  Only where the members are a listed family of
    one count (the ``n`` of ``x_n``, a letter that counts) and of one column shape."""
    out = []
    for f in fams:
        if f.part not in ("row", "column") or f.matrix_end < 0:
            continue
        if table.declarations.get(f.matrix[0]) or table.declarations.get(f.matrix[0] + "^{\\top}"):
            continue  # (declared: it sizes its members instead, family_declarations)
        member = table.lookup(f.key, f.font, path, f.start)
        if member is None or member.shape.cols != ONE or member.shape.is_scalar:
            continue
        base = f.key.split("_", 1)[0]
        counts = []
        for c in sorted(table.counted):
            last = table.lookup(f"{base}_{{{c}}}", f.font, path, f.start)
            if last is not None and last.shape == member.shape:
                counts.append(c)
        if len(counts) != 1:
            continue
        n, d = symbol(counts[0]), member.shape.rows
        shape = Shape(n, d) if f.part == "row" else Shape(d, n)
        out.append(Declaration(f.matrix[0], f.matrix[1], shape, path, f.at, f.matrix_end, "prose"))
    return out


def _written_as_family(table: SymbolTable, letter: tuple[str, str | None]) -> bool:
    r"""Does the table declare members of ``letter`` tagged in parentheses (``W^{(l)} \in …``,
    layers of their own sizes)?"""
    prefix = letter[0] + "^{("
    return any(
        key.startswith(prefix) and any(d.font == letter[1] for d in decls)
        for key, decls in table.declarations.items()
    )


def family_declarations(fams: list[Family], path: str, table: SymbolTable) -> list[Declaration]:
    """The members of these families declared as vectors of the matrix's columns (rows) or
    rows (columns), where the matrix's declaration is known."""
    out = []
    for f in fams:
        if f.part == "scalar":  # "targets $t_1, \dots, t_N$"
            out.append(Declaration(f.key, f.font, Shape(ONE, ONE), path, f.start, f.end, "prose"))
            continue
        decl = table.lookup(f.matrix[0], f.matrix[1], path, f.at)
        if decl is None or decl.shape.is_scalar:
            continue
        if f.part == "initial":
            if not _written_as_family(table, f.matrix):
                out.append(Declaration(f.key, f.font, decl.shape, path, f.start, f.end, "prose"))
            continue
        if f.part == "same":  # "of the same size as $Z$"
            out.append(Declaration(f.key, f.font, decl.shape, path, f.start, f.end, "prose"))
            continue
        if f.part == "sample":
            length, n = decl.shape.rows, dim_of(f.last)
            if decl.shape.cols == ONE and n is not None and not same(n, length):
                out.append(Declaration(f.key, f.font, decl.shape, path, f.start, f.end, "prose"))
            continue  # (x ∈ ℝⁿ with x_1, …, x_n: the entries of x)
        size = decl.shape.cols if f.part == "row" else decl.shape.rows
        if size == ONE:
            continue
        out.append(Declaration(f.key, f.font, Shape(size, ONE), path, f.start, f.end, "prose"))
    return out


def stacked_members(fams: list[Family], path: str, table: SymbolTable) -> list[Declaration]:
    r"""The members of the families whose matrix nothing declares ("Here $\mathbf p_i^\top$
    is the $i$-th row of $P$" after ``P = \operatorname{softmax}(Z_2)``): not sized here, the
    matrix having its shape only where inference defines it; kept as statements for
    ``SymbolTable.stacked_at`` (how "row of" or "column of", made_of the matrix)."""
    return [
        Declaration(
            f.key, f.font, SCALAR, path, f.start, f.end, f"{f.part} of", made_of=(f.matrix,)
        )
        for f in fams
        if f.part in ("row", "column")
        and not table.declarations.get(f.matrix[0])
        and not table.declarations.get(f.key)
    ]
