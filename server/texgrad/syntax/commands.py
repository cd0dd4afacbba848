r"""The command table: what each TeX math command is to the lexer, like texlab's.

The names TeX math is written with (Greek letters, functions, relations, fonts …) are
listed here by what they are, and :data:`COMMANDS` maps every command name to its class:

- an UPPERCASE class is a token kind the lexer emits as it is (``\alpha`` → ``SYMBOL``;
  the value is the command, or for ``FUNC`` its bare name);
- a lowercase class names the lexer's handler for commands that read their arguments
  or the text after them (``\frac`` → ``frac``, ``\left`` → ``left_right``).

A name in two lists takes the class listed first in :data:`_CLASSES` (``\vec`` is an
accent, not a function); a name in none is an unknown command, read as opaque.
"""

from __future__ import annotations

from collections.abc import Iterable

GREEK = frozenset(
    """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa lambda
    mu nu xi omicron pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega varGamma varDelta varTheta
    varLambda varXi varPi varSigma varUpsilon varPhi varPsi varOmega digamma""".split()
)
SYMBOLS = GREEK | frozenset(
    """ell infty emptyset varnothing hbar imath jmath aleph beth top bot intercal prime dagger
    ddagger forall exists nexists neg lnot angle triangle Box square blacksquare checkmark
    natural sharp flat clubsuit heartsuit spadesuit diamondsuit surd wp Re Im partialup
    mho complement backprime bigstar lozenge varpropto""".split()
)
FUNCTIONS = frozenset(
    """log ln lg exp sin cos tan sec csc cot arcsin arccos arctan sinh cosh tanh coth det max
    min sup inf lim liminf limsup arg deg dim gcd hom ker Pr argmax argmin tr Tr trace diag
    rank vec sgn sign softmax relu erf""".split()
)
BIG_OPERATORS = frozenset(
    "sum prod coprod int iint iiint oint bigcup bigcap bigoplus bigotimes bigodot bigvee bigwedge bigsqcup".split()
)
FONTS = frozenset(
    "mathbf boldsymbol bm mathit mathrm mathsf mathcal mathbb mathfrak mathscr mathtt mathnormal pmb vb mathbold bbold symbf symbfit mathbfit mathds mathbbm Bbb symbb".split()
)
# Blackboard bold from other packages (dsfont's \mathds, bbm's \mathbbm, plain TeX's \Bbb,
# unicode-math's \symbb): the same letters as \mathbb
FONT_ALIASES = {"mathds": "mathbb", "mathbbm": "mathbb", "Bbb": "mathbb", "symbb": "mathbb"}
ACCENTS = frozenset(
    """hat widehat tilde widetilde bar overline underline dot ddot dddot vec check breve acute grave
    mathring overrightarrow overleftarrow overleftrightarrow underbrace overbrace boxed cancel
    bcancel xcancel underline ubar wideparen""".split()
)
TEXT_COMMANDS = frozenset(
    """text mbox textrm textbf textit textsf texttt textup textnormal hbox intertext
    shortintertext textsc emph fbox""".split()
)
# Text fonts that some documents use for symbols in math (\textbf{x}), as the math font.
TEXT_FONTS = {"textbf": "mathbf", "textit": "mathit", "textrm": "mathrm", "textsf": "mathsf"}
RELATIONS = frozenset(
    """neq ne approx le leq ge geq leqslant geqslant ll gg lesssim gtrsim prec succ preceq succeq
    preccurlyeq succcurlyeq in notin ni subset subseteq supset supseteq subsetneq supsetneq
    coloneqq coloneq eqqcolon triangleq defeq eqdef equiv propto to rightarrow longrightarrow
    leftarrow longleftarrow gets mapsto longmapsto Rightarrow Longrightarrow Leftarrow implies
    impliedby iff Leftrightarrow leftrightarrow Longleftrightarrow sim simeq cong asymp doteq
    approxeq mid nmid parallel perp vdash models colon lt gt hookrightarrow rightharpoonup
    searrow nearrow downarrow uparrow vcentcolon stackrel overset underset lessdot""".split()
)
MULTIPLICATIONS = frozenset(
    """cdot times odot circ otimes oslash ast star bullet div oplus ominus wedge vee cap cup
    setminus smallsetminus diamond boxtimes boxdot circledast bigcirc land lor sqcup sqcap
    backslash ltimes rtimes""".split()
)
DOTS = frozenset("cdots ldots dots hdots vdots ddots dotsc dotsb dotsm dotsi dotso iddots".split())
# Commands that only change spacing, size or numbering, or highlight (Beamer's \alert{…}, whose
# group stays, and \pause): dropped.
SKIP = frozenset(
    """displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits nonumber
    notag hline hfill enspace thinspace medspace thickspace negthinspace negmedspace
    negthickspace allowbreak mathstrut strut noindent relax cr hfil displaybreak centering
    protect boldmath unboldmath bf rm it sf cal tt normalsize small footnotesize scriptsize
    large Large LARGE huge Huge tiny null nobreak medskip bigskip smallskip vfill newline
    middle middlebar alert pause""".split()
)
# Dropped together with their braced argument(s): name -> how many.
SKIP_WITH_ARGS = {
    "label": 1, "tag": 1, "tag*": 1, "hspace": 1, "hspace*": 1, "vspace": 1, "vspace*": 1,
    "phantom": 1, "hphantom": 1, "vphantom": 1, "color": 1, "eqref": 1, "ref": 1, "cite": 1,
    "kern": 0, "mkern": 0, "mspace": 1, "raisebox": 1, "scalebox": 1, "rule": 2, "footnote": 1,
    "index": 1, "intertext": 1, "nocite": 1, "setlength": 2, "addtolength": 2, "textcolor": 1,
}  # fmt: skip
MATRIX_ENVIRONMENTS = frozenset(
    """matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix array subarray cases dcases
    rcases cases* dcases* matrix* pmatrix* bmatrix* Bmatrix* vmatrix* Vmatrix* psmallmatrix
    bsmallmatrix numcases subnumcases""".split()
)
OPERATOR_NAMES_IN_TEXT = FUNCTIONS | frozenset(
    "Tr tr diag rank vec eig det softmax prod sign sgn argmax argmin relu logsumexp Var Cov var cov E "
    "GELU LayerNorm BatchNorm RMSNorm Dropout".split()
)


# -- delimiters and characters -------------------------------------------------------------
OPEN_DELIMITERS = {
    "{": "\\{",
    "lbrace": "\\{",
    "langle": "\\langle",
    "lVert": "\\|",
    "lvert": "|",
    "lfloor": "\\lfloor",
    "lceil": "\\lceil",
    "lgroup": "(",
}
CLOSE_DELIMITERS = {
    "}": "\\}",
    "rbrace": "\\}",
    "rangle": "\\rangle",
    "rVert": "\\|",
    "rvert": "|",
    "rfloor": "\\rfloor",
    "rceil": "\\rceil",
    "rgroup": ")",
}
UNICODE_OPERATORS = {
    "×": ("MULOP", "\\times"), "·": ("MULOP", "\\cdot"), "⋅": ("MULOP", "\\cdot"), "−": ("ADDOP", "-"),
    "≤": ("REL", "\\le"), "≥": ("REL", "\\ge"), "≠": ("REL", "\\neq"), "≈": ("REL", "\\approx"),
    "∈": ("REL", "\\in"), "→": ("REL", "\\to"), "⊙": ("MULOP", "\\odot"), "⊗": ("MULOP", "\\otimes"),
    "ℝ": ("FSYMBOL", "mathbb:R"), "ℂ": ("FSYMBOL", "mathbb:C"), "ℕ": ("FSYMBOL", "mathbb:N"),
    "ℤ": ("FSYMBOL", "mathbb:Z"), "ℚ": ("FSYMBOL", "mathbb:Q"),
    "∂": ("PARTIAL", "\\partial"), "∇": ("NABLA", "\\nabla"), "…": ("DOTS", "\\ldots"), "⋯": ("DOTS", "\\cdots"),
    "∑": ("BIGOP", "\\sum"), "∏": ("BIGOP", "\\prod"), "∫": ("BIGOP", "\\int"), "∞": ("SYMBOL", "\\infty"),
    "⊤": ("SYMBOL", "\\top"), "⊘": ("MULOP", "\\oslash"),  # (X^⊤ typed in unicode: X^\top)
}  # fmt: skip
# Greek letters typed as characters (Markdown, unicode-math): the letter its command names,
# with unicode-math's readings of the two epsilons, thetas and phis (ε is \varepsilon, ϵ is
# \epsilon; φ is \varphi, ϕ is \phi), so ``α ∈ (0,1)`` declares the ``\alpha`` of the formulas.
_GREEK_CHARACTERS = dict(
    zip(
        "αβγδεζηθικλμνξοπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩϵϑϕϱϖς",
        """alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho
        sigma tau upsilon varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi
        Omega epsilon vartheta phi varrho varpi varsigma""".split(),
        strict=True,
    )
)
GREEK_CHARACTERS = {c: ("SYMBOL", "\\" + name) for c, name in _GREEK_CHARACTERS.items()}
# Characters that are one token as they are: (kind, value).
CHARACTERS = {
    "+": ("ADDOP", "+"), "-": ("ADDOP", "-"), "*": ("MULOP", "*"), "/": ("MULOP", "/"),
    "=": ("REL", "="), "<": ("REL", "<"), ">": ("REL", ">"), ",": ("COMMA", ","),
    ";": ("SEP", ";"), ".": ("SEP", "."), "'": ("PRIME", "'"), "!": ("BANG", "!"),
    **UNICODE_OPERATORS,
    **GREEK_CHARACTERS,
}  # fmt: skip
SIZED_DELIMITERS = frozenset(
    size + side for size in ("big", "Big", "bigg", "Bigg") for side in ("", "l", "r", "m")
)  # \big( \Bigl| \biggm|: the side is the last letter, if l, r or m

# -- the table -----------------------------------------------------------------------------
_CLASSES: tuple[tuple[str, Iterable[str]], ...] = (
    ("wide_space", ("quad", "qquad")),
    ("skip", SKIP),
    ("skip_arguments", SKIP_WITH_ARGS),
    ("left_right", ("left", "right")),
    ("sized", SIZED_DELIMITERS),
    ("delimiter", ("vert", "Vert", "lvert", "rvert", "lVert", "rVert", *OPEN_DELIMITERS, *CLOSE_DELIMITERS)),
    ("environment", ("begin", "end")),
    ("text", TEXT_COMMANDS),
    ("operatorname", ("operatorname", "operatorname*", "mathop")),
    ("mathrm", ("mathrm",)),
    ("math_class", ("mathbin", "mathrel", "mathord", "mathpunct", "mathopen", "mathclose", "mathinner")),
    ("arg", ("arg",)),
    ("font", FONTS),
    ("accent", ACCENTS),
    ("frac", ("frac", "dfrac", "tfrac", "cfrac")),
    ("binom", ("binom", "dbinom", "tbinom")),
    ("sqrt", ("sqrt",)),
    ("overset", ("overset", "underset", "stackrel")),
    ("arrow", ("xrightarrow", "xleftarrow", "xmapsto")),
    ("not", ("not",)),
    ("over", ("over",)),
    ("SYMBOL", SYMBOLS),
    ("FUNC", FUNCTIONS),
    ("BIGOP", BIG_OPERATORS),
    ("REL", RELATIONS),
    ("MULOP", MULTIPLICATIONS),
    ("ADDOP", ("pm", "mp")),
    ("DOTS", DOTS),
    ("NABLA", ("nabla",)),
    ("PARTIAL", ("partial",)),
)  # fmt: skip


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for kind, names in _CLASSES:
        for name in names:
            table.setdefault(name, kind)  # the first class listed wins
    return table


COMMANDS: dict[str, str] = _table()
