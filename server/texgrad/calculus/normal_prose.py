r"""The standard normal CDF and density a document names in its prose: "with $\Phi$ the
standard normal CDF and $\varphi$ its density", "where $\Phi$ is the cumulative
distribution function of the standard normal".

Such a letter is then a function the document defines on numbers (see
:mod:`~texgrad.calculus.functions`), with the body the words mean,
``\Phi(t) = \frac12(1 + \operatorname{erf}(t/\sqrt 2))`` and
``\varphi(t) = e^{-t^2/2}/\sqrt{2\pi}``; where both are named, Φ′ is written φ.  Nothing
else is taken from the words: a letter the document declares (a feature matrix Φ) or
defines itself is left as it is, and every result through them is verified by their bodies.
"""

from __future__ import annotations

import functools
import re

from texgrad.calculus.lower import Env, FunctionDef
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

PARAM = "t"
CDF_BODY = "\\frac{1}{2}\\left(1 + \\operatorname{erf}\\left(\\frac{t}{\\sqrt{2}}\\right)\\right)"
PDF_BODY = "\\frac{1}{\\sqrt{2\\pi}}\\exp\\left(-\\frac{t^{2}}{2}\\right)"

_LETTER = r"\$\s*(\\[A-Za-z]+|[A-Za-z])\s*\$"
_NORMAL = r"(?:standard\s+(?:normal|Gaussian)|N\(0,\s*1\))"
_CDF = r"(?:CDF|c\.d\.f\.|cdf|cumulative\s+distribution(?:\s+function)?|distribution\s+function)"
_PDF = r"(?:density|PDF|pdf|p\.d\.f\.|probability\s+density(?:\s+function)?)"
_IS = r"[^$.;\n]{0,30}?"  # "is the", "denotes the", "the", ", the"
_PATTERNS = (
    ("cdf", re.compile(_LETTER + _IS + _NORMAL + r"\s+" + _CDF)),
    ("cdf", re.compile(_LETTER + _IS + _CDF + r"\s+of\s+(?:the|a)\s+" + _NORMAL)),
    ("cdf", re.compile(_NORMAL + r"\s+" + _CDF + r"\s*,?\s*" + _LETTER)),
    ("pdf", re.compile(_LETTER + _IS + _NORMAL + r"\s+" + _PDF)),
    ("pdf", re.compile(_LETTER + r"\s*(?:is\s+)?its\s+" + _PDF)),
    ("pdf", re.compile(_LETTER + _IS + _PDF + r"\s+of\s+(?:the|a)\s+" + _NORMAL)),
    ("pdf", re.compile(_NORMAL + r"\s+" + _PDF + r"\s*,?\s*" + _LETTER)),
)


@functools.lru_cache(maxsize=8)
def named_in_prose(text: str) -> tuple[str, str] | None:
    r"""The letters the text names the standard normal CDF and its density by
    (``("\\Phi", "\\varphi")``; the density "" where it names none), None where it names no
    CDF (or names two).  (Read once per text: every row's context asks.)"""
    if "normal" not in text and "Gaussian" not in text and "N(0" not in text:
        return None
    found: dict[str, set[str]] = {"cdf": set(), "pdf": set()}
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            found[kind].add(m[1])
    if len(found["cdf"]) != 1:
        return None
    (cdf,) = found["cdf"]
    pdf = found["pdf"] - {cdf}
    return cdf, (next(iter(pdf)) if len(pdf) == 1 else "")


def define_named(text: str, env: Env) -> None:
    """The standard normal CDF (and density) the prose names, as functions of numbers of
    ``env`` where the document neither declares nor defines their letters."""
    named = named_in_prose(text)
    if named is None:
        return
    cdf, pdf = named
    cdf_key, pdf_key = _key(cdf), _key(pdf) if pdf else None
    if cdf_key is None or cdf_key in env.vars or cdf_key in env.functions:
        return
    density = ""
    if pdf_key is not None and pdf_key not in env.vars and pdf_key not in env.functions:
        env.functions[pdf_key] = FunctionDef(pdf_key, (PARAM,), _parsed(PDF_BODY))
        density = pdf_key
    env.functions[cdf_key] = FunctionDef(cdf_key, (PARAM,), _parsed(CDF_BODY), density)


def _key(letter: str) -> str | None:
    k = symbol_key(_parsed(letter))
    return k[0] if k is not None and k[1] is None else None


@functools.lru_cache(maxsize=16)
def _parsed(latex: str) -> t.Node:
    from texgrad.syntax.parse import parse_row

    tree = parse_row(MappedText.identity(latex)).tree
    assert tree is not None, latex
    return tree


__all__ = ["define_named", "named_in_prose"]
