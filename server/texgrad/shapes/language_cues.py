r"""The cues texgrad reads in prose, in the other languages matrix calculus is written in:
Chinese, German, French, Spanish, Italian and Portuguese.

The prose readers know English ("Let $A$ be a symmetric matrix", "We use denominator
layout", "$X$ is an $n \times p$ matrix", "up to sign").  Notes written in another
language say the same things in other words — "设 $A$ 为对称矩阵", "采用分母布局",
"$X$ 是 $n\times p$ 的矩阵", "$\mathbf x$ 是 $n$ 维向量"; "Sei $A$ symmetrisch", "eine
$n\times p$-Matrix", "Nennerlayout"; "Soit $A$ une matrice symétrique", "une matrice $n\times p$",
"disposition dénominateur" — and this module holds those words, as data, with the patterns
made of them; each reader of an English cue (``shapes/prose.py``, ``shapes/properties.py``,
``shapes/layout_statements.py``, ``calculus/written_derivatives.py`` and ``written_hedges.py``)
also runs the patterns here.

What is not certain is not read: a layout is a statement only in a sentence that names one
layout, with a verb of use or a word of scope, and no word of supposition, denial or blame;
a symmetric matrix is said so only without a negation between the letter and the word
("$X$ 是可逆矩阵（一般不对称）", "nicht symmetrische", "non symétrique" say nothing).  Every
pattern is searched on the text folded by :func:`texgrad.casefold.folded` (ASCII letters in
lower case, offsets kept), so ASCII letters are written here in lower case.
"""

from __future__ import annotations

import re

# -- sentences --------------------------------------------------------------------------------

# the marks that end a sentence in Chinese (full-width: no space after them)
CJK_SENTENCE_END = "。！？；"

# -- symmetric matrices -------------------------------------------------------------------------

# the words that say a matrix is symmetric (or positive definite, or diagonal: symmetric too)
_SYMMETRIC_WORDS = (
    # Chinese: 对称, 对称正定, 正定, 半正定, 对角 (traditional 對稱, 對角 too)
    r"实?(?:对称|對稱)(?:半?正定)?|半?正定|(?:对角|對角)",
    # German: symmetrisch, symmetrische(n/r/s), positiv (semi)definit(e…), Diagonalmatrix
    r"symmetrisch(?:e[nrsm]?)?(?:,?\s+(?:und\s+)?positiv[- ]?(?:semi)?definit(?:e[nrsm]?)?)?"
    r"|positiv[- ]?(?:semi)?definit(?:e[nrsm]?)?|diagonalmatri(?:x|zen)",
    # French: symétrique(s), (semi-)définie(s) positive(s), diagonale(s)
    r"symétriques?(?:,?\s+(?:et\s+)?(?:semi-)?définies?\s+positives?)?"
    r"|(?:semi-)?définies?\s+positives?|diagonales?",
    # Spanish: simétrica(s)/simétrico(s), (semi)definida(s) positiva(s), diagonal(es)
    r"simétric[ao]s?(?:,?\s+(?:y\s+)?(?:semi)?definid[ao]s?\s+positiv[ao]s?)?"
    r"|(?:semi)?definid[ao]s?\s+positiv[ao]s?",
    # Italian: simmetrica/o, simmetriche/i, (semi)definita/e/o/i positiva/e/o/i
    r"simmetric(?:he|[aoi])(?:,?\s+(?:e\s+)?(?:semi)?definit[aeio]\s+positiv[aeio])?"
    r"|(?:semi)?definit[aeio]\s+positiv[aeio]",
    # Korean: 대칭 (실대칭), 양의 (준/반)정부호 (대칭), 양정치, 대각 (행렬)
    r"(?:양의\s*(?:준|반)?정부호(?:인)?\s*)?실?대칭|양의\s*(?:준|반)?정부호|양정치|대각",
)
SYMMETRIC = "|".join(_SYMMETRIC_WORDS)
# (a Latin word ends there: "symmetrische" is not "symmetrisch", "对称矩阵" is "对称")
_LATIN_END = r"(?![a-zäöüßàâçéèêëîïôûùÿñáíóú-])"
_LATIN_START = r"(?<![a-zäöüßàâçéèêëîïôûùÿñáíóú-])"
# not "$X$ 的对称部分" (the symmetric part of X), "der symmetrische Teil"
_NOT_PART = (  # (nor "대칭 부분", "대각 성분", "대각합": the trace)
    r"(?!\s*(?:的\s*)?(?:部分|化|元|线|線)|\s+(?:teil|anteil)|\s*(?:부분|화|성분|원소|합|선|항))"
)
# what makes a property word positive definite (not semi-definite) … or only diagonal
_DEFINITE = re.compile(
    r"(?<!半)正定|(?<![준반])정부호|양정치|(?<!semi)(?<!semi-)definit|(?<!semi-)définie"
)

# a word that denies what follows it, or a prefix that makes another property of it: 不对称,
# 非对称, 反对称, 斜对称, 不一定, 未必; nicht, kein, unsymmetrisch, schiefsymmetrisch,
# antisymmetrisch; non, pas, ne … pas, antisymétrique; no, ni, antisimétrica; (Italian) non
NEGATION = re.compile(
    r"[不非未反斜无無没沒]|\bnicht\b|\bkein\w*|\bun(?=symmetr)|schief|anti|\bnon\b|\bpas\b|\bne\b"
    r"|\bn'|\bno\b|\bni\b|\bsin\b|\bjamais\b|\bnunca\b|\bnie\b"
    # Korean: 비대칭, 반대칭, 왜대칭 (skew), 아닌 / 아니다 / 않는 (not)
    r"|[비반왜]$|아닌|아니|않"
)
# a word that makes the property a condition a claim needs, or a supposition of a case: 若,
# 如果, 假如, 倘若, 当 … 时, 仅当, 只有, 除非, 需要, 要求, 对任意, 假设; wenn, falls, sofern, nur,
# außer, erfordert, für alle/jede; si, lorsque, quand, seulement, sauf, pour toute; si,
# cuando, solo, salvo, para toda
SUPPOSING = re.compile(
    r"若|如果|假如|倘若|要是|当|當|仅|僅|只有|只要|只在|只对|只對|只适用|只適用|除非|需要|要求|任意"
    r"|任何|所有|假设|假設|假定"
    r"|\bwenn\b|\bfalls\b|\bsofern\b|\bnur\b|\baußer\b|\bangenommen\b|\berforder\w*|\bbenötig\w*"
    r"|\bbeliebig\w*|\bfür\s+(?:alle|jede)\w*|\bsi\b|\bs'|\blorsque?\b|\bquand\b|\bseulement\b"
    r"|\buniquement\b|\bsauf\b|\bquelconques?\b|\bpour\s+(?:tout|toute|tous)\b|\bcuando\b"
    r"|\bsolo\b|\bsólo\b|\bsalvo\b|\bexcepto\b|\bcualquier\w*|\bpara\s+tod[ao]s?\b"
    # Italian: se (before a letter: "Se $A$ è simmetrica"; not the French pronoun), soltanto,
    # quando, purché, tranne, per ogni, qualsiasi, qualunque, supponiamo
    r"|\bse\s+(?=\$)|\bsoltanto\b|\bquando\b|\bpurché\b|\btranne\b|\bper\s+ogni\b"
    r"|\bqualsiasi\b|\bqualunque\b|\bsupponiamo\b|\bsupposto\b"
    # Korean: 만약 / 만일 (if), 가정 (suppose), 임의 (any), 모든 (every), 경우 (in the case)
    r"|만약|만일|가정|임의|모든|경우"
)

# words allowed between a letter and what is said of it: a verb, an article, a size, an
# adjective ("$A$ 为 $n\times n$ 的对称矩阵", "$A$ eine reelle symmetrische Matrix",
# "$A$ une matrice $n\times n$ symétrique"); no other letter, no end of a sentence
# (a math span there is a size or a space: "$n\times n$", "$\mathbb{R}^{n\times n}$")
_BETWEEN = (
    r"(?P<between>(?:[^$.;:。；：！？\n]|\$[^$]{0,40}?(?:\\times|\\mathbb)[^$]{0,40}?\$){0,40}?)"
)
_LETTER = r"\$(?P<sym>[^$]{1,120})\$"
# a list of letters: "$A$ 和 $B$", "$A$, $B$ und $C$", "$A$ et $B$"
_AND = r"\s*(?:,|，|、|和|与|與|及|以及|\bund\b|\bet\b|\by\b|\be\b)\s*"
_LETTERS = (
    _LETTER
    + r"(?:"
    + _AND
    + r"\$(?P<sym2>[^$]{1,120})\$)?(?:"
    + _AND
    + r"\$(?P<sym3>[^$]{1,120})\$)?"
)
# the nouns a property word may stand before ("对称矩阵 $S$", "symmetrische Matrix $S$")
_MATRIX_NOUNS = (
    r"(?:[\u4e00-\u9fff]{0,6}?(?:矩阵|矩陣|阵|陣)|행렬|(?:[a-zäöü]+-?)?matri(?:x|zen)|matrices?|matri(?:z|ces|ci)"
    r"|(?:kovarianz|gewichts|kern|gram)matrix)"
)
SYMMETRIC_PATTERNS = (
    # "$A$ 为 $n\times n$ 的对称矩阵", "由于 $A$ 是对称的", "Sei $A$ symmetrisch", "Soit $A$
    # une matrice $n\times n$ symétrique", "$A$ es simétrica"
    re.compile(
        _LETTERS
        + _BETWEEN
        + _LATIN_START
        + r"(?P<prop>"
        + SYMMETRIC
        + r")"
        + _LATIN_END
        + _NOT_PART
    ),
    # "对称矩阵 $S$", "对称正定的权重矩阵 $W$", "eine symmetrische Matrix $S$", "la matrice
    # symétrique $S$", "la matriz simétrica $S$"
    re.compile(
        _LATIN_START
        + r"(?P<prop>"
        + SYMMETRIC
        + r")"
        + _LATIN_END
        + r"\s*(?:的)?\s*(?:"
        + _MATRIX_NOUNS
        + r")?\s*"
        + _LETTER
    ),
    re.compile(
        r"(?:matrice|matriz|matrix)\s+(?P<prop>" + SYMMETRIC + r")" + _LATIN_END + r"\s*" + _LETTER
    ),
)
# what a text must hold for the patterns above to be searched in it
# (none an English word holds: English texts are read by the English patterns alone)
SYMMETRIC_NEEDS = ("对称", "對稱", "正定", "对角", "對角", "symmetrisch", "positiv definit",
                   "positiv-definit", "positiv semidefinit", "positiv-semidefinit",
                   "diagonalmatri", "symétri", "définie", "diagonale", "simétric",
                   "definid", "simmetric", "definita positiva", "definite positive",
                   "definito positivo", "definiti positivi", "대칭", "정부호", "양정치",
                   "대각")  # fmt: skip


def symmetric_statements(
    text: str, lo: int = 0, hi: int | None = None
) -> list[tuple[str, int, bool, bool]]:
    """What ``text[lo:hi]`` (folded) says is symmetric in another language: for each, the
    source of the letter's math, where it starts, whether positive definite, and whether
    it is supposed or a condition ("若 $A$ 对称", "wenn $A$ symmetrisch ist": for its
    sentence only).  Negated ones ("不对称", "nicht symmetrisch") are left out."""
    hi = len(text) if hi is None else hi
    if not any(w in text[lo:hi] for w in SYMMETRIC_NEEDS):
        return []
    out = []
    seen: set[int] = set()
    for pattern in SYMMETRIC_PATTERNS:
        for m in pattern.finditer(text, lo, hi):
            if m.start("sym") in seen:
                continue
            between = m.groupdict().get("between") or ""
            before = text[max(lo, m.start() - 12) : m.start("prop")]
            if NEGATION.search(between) or NEGATION.search(before[-12:] if not between else ""):
                continue
            if pattern is not SYMMETRIC_PATTERNS[0] and NEGATION.search(
                text, max(lo, m.start() - 6), m.start()
            ):
                continue  # "不是对称矩阵 $A$", "non symétrique"
            if _DENIED_AFTER.match(text, m.end("prop")):
                continue  # "대칭 행렬이 아닌", "대칭이지 않은" (Korean denies after)
            prop = m["prop"]
            definite = _DEFINITE.search(prop) is not None
            start = max(sentence_start(text, lo, m.start()), m.start() - 80)
            supposed = (
                _supposed_before(text, start, m.start(), m.start("prop"))
                or _WHEN_AFTER.match(text, m.end()) is not None  # "$A$ 对称时", "… ist"
            )
            for group in ("sym", "sym2", "sym3"):
                if m.groupdict().get(group) is not None:
                    seen.add(m.start(group))
                    out.append((m[group], m.start(group), definite, supposed))
    return out


# a denial after the property (Korean): "대칭이 아닌", "대칭 행렬이 아니다", "대칭이지 않은"
_DENIED_AFTER = re.compile(r"\s*(?:행렬)?\s*(?:이|가|은|는)?\s*(?:지\s*)?(?:아닌|아니|않)")


# "arbitrary": a word that qualifies the letter of its own clause, not the next one ("$A$ eine
# beliebige (nicht notwendig symmetrische) Matrix, $Q$ symmetrisch positiv definit")
_ARBITRARY = re.compile(r"beliebig|quelconque|cualquier")
_CLAUSE_BREAK = re.compile(r"[,，、]\s*$")


def _supposed_before(text: str, start: int, letter: int, prop: int) -> bool:
    """Whether a word of supposition stands in ``text[start:prop]`` — an "arbitrary" of an
    earlier clause (one that ends with a comma just before the letter) aside."""
    for m in SUPPOSING.finditer(text, start, prop):
        if (
            _ARBITRARY.match(m[0])
            and m.end() <= letter
            and _CLAUSE_BREAK.search(text, m.end(), letter) is not None
        ):
            continue
        return True
    return False


def supposes(before: str) -> bool:
    """Do the words just before a formula (``before``, its own sentence's part: after the
    last full stop) suppose it, in another language ("若 $A = A^\\top$", "wenn
    $A = A^\\top$")?"""
    tail = re.split(r"[.;。；！？]", before)[-1]
    return SUPPOSING.search(tail.lower()) is not None


# after the property, what makes it a condition: "在 $A$ 对称时成立", "对称的时候", "才"
_WHEN_AFTER = re.compile(
    r"\s*(?:的)?\s*(?:矩阵|矩陣)?\s*(?:时|時|的时候|的時候|才|之时|之時)"
    r"|\s*(?:행렬)?\s*(?:이면|이라면|일\s*때|인\s*경우|이어야)"  # "$A$ 가 대칭이면"
)


def sentence_start(text: str, lo: int, at: int) -> int:
    """Where the sentence holding ``at`` starts (after ". " or a Chinese full stop, or a
    blank line), looking no further back than ``lo`` nor 300 characters."""
    cut = max(lo, at - 300)  # (a sentence is read that far back at most)
    for m in _SENTENCE.finditer(text, cut, at):
        cut = m.end()
    return cut


def sentence_end(text: str, at: int, hi: int | None = None) -> int:
    """Where the sentence going on at ``at`` ends (300 characters on at most)."""
    hi = min(len(text) if hi is None else hi, at + 300)
    m = _SENTENCE.search(text, at, hi)
    return m.start() if m is not None else hi


_SENTENCE = re.compile(r"[.!?](?=\s)|[" + CJK_SENTENCE_END + r"]|\n[ \t]*\n")

# -- blame -----------------------------------------------------------------------------------

# words that call what a sentence writes wrong, in every language the readers know: one list for
# the three readers of blame (``shapes/facts.py``: a condition said of a slip; ``shapes/prose.py``:
# a size said of a slip; ``calculus/written_denounced.py``: a derivative called wrong), each adding
# only the words its own context makes blame ("instead"; "tempting", "forgot").  Searched with
# ``re.IGNORECASE`` on the text as written, inside ``\b(?:…)(?![\w-])`` ("bug-free" blames nothing).
BLAME_WORDS = (
    r"wrong(?:ly)?|incorrect(?:ly)?|mistakes?|mistaken(?:ly)?|erroneous(?:ly)?|slips?|typos?"
    r"|misprints?|bugs?|buggy|(?:an?|common|typical|frequent|classic|usual)\s+errors?|in\s+error"
    r"|falsch\w*|fehlerhaft\w*|(?:h[äa]ufige[rn]?|typische[rn]?|beliebte[rn]?|klassische[rn]?)\s+fehler"
    r"|faux|fausse|erron[ée]\w*|incorrecte?s?|(?:une\s+)?erreur\s+(?:fr[ée]quente|classique"
    r"|courante|typique)"
    r"|incorrect[oa]s?|err[óo]ne[oa]s?|equivocad[oa]s?|(?:un|el)\s+error\s+(?:com[úu]n|t[íi]pico"
    r"|frecuente)|sbagliat[oaie]|(?:un\s+)?errore\s+(?:comune|frequente|tipico|classico)"
    r"|errad[oa]s?|incorret[oa]s?|(?:um\s+)?erro\s+(?:comum|frequente|típico|clássico)"
    # plural, as a list of slips is headed: "Errores frecuentes …:", "Erreurs fréquentes"
    r"|errores\s+(?:comunes|frecuentes|t[íi]picos|habituales)|erreurs\s+(?:fr[ée]quentes"
    r"|classiques|courantes|typiques)|errori\s+(?:comuni|frequenti|tipici|classici)"
    r"|erros\s+(?:comuns|frequentes|t[íi]picos|cl[áa]ssicos)"
)
# the same in Chinese (no word boundaries there; "不对称", "not symmetric", blames nothing)
BLAME_CJK = (
    r"错误|錯誤|不对(?!称)|不對(?!稱)|不正确|不正確|错了|錯了|写错|寫錯|易错|易錯|是错的|是錯的"
)


def blame(extra: str = "", marks: str = "") -> re.Pattern[str]:
    """The pattern of :data:`BLAME_WORDS` and :data:`BLAME_CJK`, with a reader's own ``extra``
    words (between word boundaries, as they are) and ``marks`` (patterns of their own: ✗)."""
    words = BLAME_WORDS + ("|" + extra if extra else "")
    rest = BLAME_CJK + ("|" + marks if marks else "")
    return re.compile(r"\b(?:" + words + r")(?![\w-])|" + rest, re.IGNORECASE)


# -- layouts --------------------------------------------------------------------------------

# a layout's name: 分母布局 / 分子布局; Nennerlayout / Zählerlayout (Nenner-Layout, -Konvention);
# disposition (du) dénominateur / numérateur; disposición del denominador / numerador
LAYOUT_NAME = re.compile(
    r"(?P<zh>(分母|分子)(?:布局|佈局|形式|约定|約定|レイアウト|規約))"  # (Japanese: 分母レイアウト)
    r"|(?P<de>(nenner|zähler)[- ]?(?:layout|konvention|schreibweise|notation))\b"
    r"|(?P<fr>(?:disposition|convention|notation|présentation|mise\s+en\s+page|layout)\s+"
    r"(?:du\s+|en\s+|de\s+)?(?:[«\"“]\s*)?(dénominateur|numérateur))\b"
    r"|(?P<es>(?:disposición|convención|notación|esquema|layout)\s+(?:del?\s+)?"
    r"(?:[«\"“]\s*)?(denominador|numerador))\b"
    # the English name in a Chinese sentence: "本文采用 denominator layout"
    r"|(?P<en>\b(denominator|numerator)[- ]layout)\b"
    # convenzione (layout, notazione) del denominatore / numeratore
    r"|(?P<it>(?:convenzione|notazione|disposizione|layout)\s+(?:del\s+|di\s+|a\s+)?"
    r"(?:[«\"“]\s*)?(denominatore|numeratore))\b"
)
LAYOUT_WORDS = ("布局", "佈局", "レイアウト", "分母形式", "分子形式", "分母约定", "分子约定", "約定", "nenner",
                "zähler", "dénominateur", "numérateur", "denominador", "numerador", "denominatore", "numeratore")  # fmt: skip
_LAYOUT_OF = {"denominator": "denominator", "numerator": "numerator", "分母": "denominator", "分子": "numerator", "nenner": "denominator",
              "zähler": "numerator", "dénominateur": "denominator", "numérateur": "numerator",
              "denominador": "denominator", "numerador": "numerator",
              "denominatore": "denominator", "numeratore": "numerator"}  # fmt: skip

# the document's own use of a layout: a verb of adoption ("采用", "Wir verwenden", "nous
# adoptons", "usamos"), or a scope of the whole text ("全文", "durchgehend", "tout au long")
_USE = re.compile(
    r"采用|採用|使用|选用|選用|遵循|遵照|沿用|按照|默认|默認|全文|通篇|始终|始終|统一|統一"
    r"|とする|を用い|を使う|を使い"  # Japanese: "…（分母レイアウト）とする", "…を用いる"
    r"|\b(?:verwend|benutz|nutz|arbeit|wähl|befolg|schreib|rechn)\w*|\bgilt\b|\bgelten\b"
    r"|\bdurchgehend\b|\bdurchweg\b"
    r"|\b(?:adopt|utilis|employ|travaill|choisi|reten|plaç|place)\w*|\bsuivons\b"
    r"|\btout\s+au\s+long\b|\bdans\s+tout\b|\bpartout\b"
    r"|\b(?:usamos|usaremos|utiliz|adopt|emple|seguimos|seguiremos|trabaj|elegi)\w*"
    r"|\ba\s+lo\s+largo\b|\ben\s+todo\b"
    r"|\b(?:usiamo|useremo|adottiamo|adotteremo|utilizziamo|seguiamo|seguiremo|lavoriamo"
    r"|scegliamo)\b|\bin\s+tutto\b|\bovunque\b"
)
# a supposition, a denial or a blame in the words of a sentence, or a remark on what others
# use ("分子布局在统计学中被广泛使用", "manche verwenden …"): it states no layout
_NOT_STATED = re.compile(
    SUPPOSING.pattern + "|" + NEGATION.pattern
    + r"|错|錯|误|誤|混淆|区别|區別|对比|對比|比较|比較|另一|两种|兩種|或者|还是|還是|被|广泛|廣泛"
    r"|常见|常見|常用|通常|许多|許多|很多|有些|有人|一些|有的|文献|文獻|教材"
    r"|仮定|場合|間違|ならば"  # Japanese: a supposition ("…と仮定する", "…の場合"), a blame
    r"|\bfalsch\w*|\bfehler\w*|\birrtum\b|\bvergleich\w*|\bandere\w*|\bbeide\w*|\boder\b"
    r"|\bhäufig\w*|\boft\b|\bverbreitet\w*|\bmanche\w*|\bviele\w*|\beinige\w*|\bman\b"
    r"|\bliteratur\b|\blehrbüch\w*"
    r"|\bfaux\b|\bfausse\w*|\berreur\w*|\bincorrect\w*|\bautre\w*|\bdeux\b|\bcompar\w*|\bou\b"
    r"|\bsouvent\b|\brépandu\w*|\bcertains\b|\bbeaucoup\b|\bparfois\b|\bgénéralement\b"
    r"|\blittérature\b|\bmanuels?\b|\bauteurs?\b"
    r"|\berror\w*|\bequivoc\w*|\botr[ao]s?\b|\bambas?\b|\bo\b|\bmenudo\b|\bfrecuente\w*"
    r"|\balgun[ao]s\b|\bmuch[ao]s\b|\bsuele\w*|\bliteratura\b|\bautores\b"
    r"|\bsbagliat\w*|\berrat\w*|\baltr[ie]\b|\bentramb\w*|\bspesso\b|\balcuni\b|\bmolti\b"
    r"|\boppure\b|\bletteratura\b|\bautori\b"
)  # fmt: skip
# what a statement says it holds in (as "this section", "this example" in English): the
# unit's English name, for the English reader of scopes
_SCOPES = (
    (re.compile(r"本节|本節|这一节|這一節|本小节|本小節|\bin\s+diesem\s+abschnitt\b"
                r"|\bdans\s+cette\s+(?:section|partie)\b|\ben\s+esta\s+sección\b"), "section"),
    (re.compile(r"本章|这一章|這一章|\bin\s+diesem\s+kapitel\b|\bdans\s+(?:tout\s+)?ce\s+chapitre\b"
                r"|\ben\s+este\s+capítulo\b"), "chapter"),
    (re.compile(r"本讲(?!义)|本講(?!義)|这一讲|這一講|\bin\s+dieser\s+vorlesung\b|\bdans\s+ce\s+cours\b"
                r"|\ben\s+esta\s+(?:clase|lección)\b"), "lecture"),
    (re.compile(r"本例|这个例子|這個例子|此例|\bin\s+diesem\s+beispiel\b|\bdans\s+cet\s+exemple\b"
                r"|\ben\s+este\s+ejemplo\b"), "example"),
    (re.compile(r"本题|本題|这道题|這道題|此题|此題|\bin\s+dieser\s+aufgabe\b"
                r"|\bdans\s+cet\s+exercice\b|\ben\s+este\s+ejercicio\b"), "exercise"),
    (re.compile(r"本附录|本附錄|\bim\s+anhang\b|\bdans\s+(?:cette|l')\s*annexe\b"
                r"|\ben\s+este\s+apéndice\b"), "appendix"),
)  # fmt: skip


def scope_unit(sentence: str) -> str | None:
    """The unit a (folded) sentence says its statement holds in, in English ("section",
    "chapter", "lecture", "example", "exercise", "appendix"), or None: the whole text.
    ("全文" / "dans tout ce chapitre" name the whole text or chapter: read as said.)"""
    for pattern, unit in _SCOPES:
        if pattern.search(sentence):
            return unit
    return None


def layout_statements(text: str, lo: int, hi: int) -> list[tuple[str, int, int]]:
    """The layouts ``text[lo:hi]`` (folded) states in another language: (layout, where its
    sentence starts, where its name stands), one a sentence naming one layout only."""
    out = []
    read_to = -1  # (the end of the last sentence read: one reading a sentence)
    for m in LAYOUT_NAME.finditer(text, lo, hi):
        if m.start() < read_to:
            continue
        start = sentence_start(text, 0, m.start())
        end = sentence_end(text, m.end())
        read_to = end
        sentence = text[start:end]
        if m["en"] and not _CJK.search(sentence):
            continue  # (an English sentence: the English patterns read it)
        named = named_layouts(text, start, end)
        if len(named) != 1:
            continue  # both named: a comparison
        if _NOT_STATED.search(sentence) or not _USE.search(sentence):
            continue
        out.append((named.pop(), start, m.start()))
    return out


_CJK = re.compile(r"[\u3400-\u9fff]")


def named_layouts(text: str, start: int, end: int) -> set[str]:
    """The layouts named in ``text[start:end]`` (folded) in another language (and in
    English in a Chinese sentence)."""
    part = text[start:end]
    cjk = _CJK.search(part) is not None
    if not any(w in part for w in LAYOUT_WORDS) and not cjk:
        return set()
    return {_LAYOUT_OF[n] for n in _layout_names(text, start, end, cjk)}


def _layout_names(text: str, start: int, end: int, english: bool) -> list[str]:
    return [
        next(g for g in (m[2], m[4], m[6], m[8], m[10], m[12]) if g)
        for m in LAYOUT_NAME.finditer(text, start, end)
        if english or not m["en"]
    ]


# -- hedges ---------------------------------------------------------------------------------

# "up to sign" and the like: 相差一个符号 / 差一个负号 / 忽略符号, 相差常数因子, 相差一个转置;
# bis auf das Vorzeichen / einen (konstanten) Faktor / Transposition; au signe près, à un
# facteur (constant) près, à la transposition près; salvo el signo, salvo un factor
HEDGES = re.compile(
    r"(?:相差|差|只差|仅差|忽略|不计|不計|不考虑|不考慮)(?:一个|一個|个|個)?(?:常数|常數|正负|正負)?"
    r"(?P<zh>符号|负号|負號|正负号|因子|倍数|倍數|系数|係數|常数倍|常數倍|转置|轉置)"
    r"|\bbis\s+auf\s+(?:das\s+|den\s+|einen\s+|eine\s+|die\s+)?(?:konstanten?\s+|skalaren?\s+)?"
    r"(?P<de>vorzeichen|faktor|transposition|transponier\w*|symmetrisier\w*)"
    r"|(?:\bau|\b[àÀ]\s+(?:un|une|la)(?:\s+(?:constante?|scalaire))?)\s+(?P<fr>signe|facteur|constante|"
    r"transposition|transposée|symétrisation)(?:\s+(?:constant|multiplicatif|scalaire))?\s+près\b"
    r"|\b(?:salvo|excepto|módulo|a\s+menos\s+de)\s+(?:el\s+|un\s+|una\s+|la\s+)?"
    r"(?P<es>signo|factor|constante|transposición|simetrización)"
)
HEDGE_KINDS = {  # a hedge's word → the English one written_hedges reads
    "符号": "sign", "负号": "sign", "負號": "sign", "正负号": "sign",
    "因子": "factor", "倍数": "factor", "倍數": "factor", "系数": "factor", "係數": "factor",
    "常数倍": "factor", "常數倍": "factor", "转置": "transpos", "轉置": "transpos",
    "vorzeichen": "sign", "faktor": "factor", "transposition": "transpos",
    "signe": "sign", "facteur": "factor", "constante": "factor", "transposée": "transpos",
    "symétrisation": "symmetri", "signo": "sign", "factor": "factor",
    "transposición": "transpos", "simetrización": "symmetri",
}  # fmt: skip


def hedges(sentence: str) -> list[str]:
    """The English stems (``sign``, ``factor``, ``transpos``, ``symmetri``) of the hedges a
    (folded) sentence says in another language."""
    out = []
    for m in HEDGES.finditer(sentence):
        word = next(g for g in (m["zh"], m["de"], m["fr"], m["es"]) if g)
        if word.startswith("transponier"):
            word = "transposition"
        out.append("symmetri" if word.startswith("symmetrisier") else HEDGE_KINDS.get(word, ""))
    return [w for w in out if w]


# -- sizes said in words ------------------------------------------------------------------------

_S = r"\$(?P<{}>[^$]{{1,80}})\$"
_DIMS = r"\$(?P<dims>[^$]{1,40})\$"
_TIMES = r"\$(?P<dims>[^$]{1,40}\\times[^$]{1,40})\$"
_ZH_AND = r"\s*(?:、|，|,|和|与|與|及|以及)\s*"
_ZH_IS = r"\s*(?:都|均|分别|分別)?\s*(?:是|为|為|表示|记为|記為)\s*(?:一个|一個|一|个|個)?\s*"
_DE_ADJ = r"(?:[a-zäöüß]+,?\s+){0,3}?"
_FR_ADJ = r"(?:[a-zàâçéèêëîïôûùÿ-]+\s+){0,4}?"
_ES_ADJ = r"(?:[a-záéíóúñü-]+\s+){0,4}?"
_IT_ADJ = r"(?:[a-zàèéìíòóù-]+\s+){0,4}?"
# after the letter: a space, or an opening bracket ("$\mathbf x$ (un vettore di dimensione $p$)")
_AFTER = r"(?:\s+|\s*\(\s*)"
# each pattern with the kind of what it sizes, as the English readers name it ("matrix",
# "vector", "square matrix", "scalar"; a group ``row`` matched: a row vector)
DECLARATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        # "$X$ 是 $n\times p$ 的设计矩阵", "$A$ 和 $B$ 都是 $n\times n$ 的矩阵"
        (_S.format("sym") + "(?:" + _ZH_AND + _S.format("sym2") + ")?(?:" + _ZH_AND
         + _S.format("sym3") + ")?" + _ZH_IS + _TIMES
         + r"\s*(?:的)?\s*[\u4e00-\u9fff]{0,8}?(?:矩阵|矩陣|向量|矢量)", "matrix"),
        # "$X$ 为 $n$ 行 $p$ 列的矩阵"
        (_S.format("sym") + _ZH_IS + _DIMS + r"\s*行\s*\$(?P<dimsb>[^$]{1,40})\$\s*列\s*(?:的)?\s*"
         r"[\u4e00-\u9fff]{0,8}?(?:矩阵|矩陣)", "matrix"),
        # "$\mathbf x$ 是 $n$ 维向量", "$\mathbf a$ 和 $\mathbf c$ 都是 $n$ 维列向量"
        (_S.format("sym") + "(?:" + _ZH_AND + _S.format("sym2") + ")?(?:" + _ZH_AND
         + _S.format("sym3") + ")?" + _ZH_IS + _DIMS
         + r"\s*(?:维|維)\s*(?:的)?\s*[\u4e00-\u9fff]{0,6}?(?:(?P<row>行)|列)?(?:向量|矢量)", "vector"),
        # "$A$ 是 $n$ 阶方阵"
        (_S.format("sym") + _ZH_IS + _DIMS + r"\s*(?:阶|階)\s*(?:的)?\s*[\u4e00-\u9fff]{0,6}?"
         r"(?:方阵|方陣|矩阵|矩陣)", "square matrix"),
        # "$n\times p$ 的矩阵 $X$", "$n$ 维向量 $\mathbf x$"
        (_TIMES + r"\s*(?:的)?\s*[\u4e00-\u9fff]{0,6}?(?:矩阵|矩陣)\s*" + _S.format("sym"), "matrix"),
        (_DIMS + r"\s*(?:维|維)\s*(?:的)?\s*[\u4e00-\u9fff]{0,4}?(?:(?P<row>行)|列)?(?:向量|矢量)\s*"
         + _S.format("sym"), "vector"),
        # "$\lambda$ 是标量"
        (_S.format("sym") + _ZH_IS + r"(?:实|實)?(?:标量|標量|纯量|純量)", "scalar"),
        # German: "Sei $X$ eine $n\times p$-Matrix", "$Y$ eine invertierbare $n\times n$-Matrix"
        (_S.format("sym") + _AFTER + r"(?:(?:ist|sei|bezeichnet|bezeichne)\s+)?(?:eine|die)\s+" + _DE_ADJ
         + _TIMES + r"\s*-?\s*[a-zäöüß]*matrix\b", "matrix"),
        # "eine $n\times p$-Matrix $X$"
        (r"\b(?:eine|die|der|einer)\s+" + _DE_ADJ + _TIMES + r"\s*-?\s*[a-zäöüß]*matrix\s+"
         + _S.format("sym"), "matrix"),
        # "$\mathbf w$ ein Vektor der Länge $p$", "$v$ ist ein Spaltenvektor der Dimension $n$"
        (_S.format("sym") + _AFTER + r"(?:(?:ist|sei|bezeichnet)\s+)?(?:ein|einen|der)\s+" + _DE_ADJ
         + r"(?:spalten|(?P<row>zeilen))?vektor\s+(?:der\s+(?:länge|dimension|größe)|mit\s+"
         r"(?:länge|dimension))\s+" + _DIMS, "vector"),
        # "$\mathbf w$ ein $p$-dimensionaler Vektor"
        (_S.format("sym") + _AFTER + r"(?:(?:ist|sei|bezeichnet)\s+)?(?:ein|einen|der)\s+" + _DIMS
         + r"\s*-\s*dimensionale[rn]?\s+(?:spalten|(?P<row>zeilen))?vektor\b", "vector"),
        # "$s$ ist ein Skalar", "sei $\lambda$ ein positiver Skalar", "ein Skalar $s$"
        (_S.format("sym") + r"\s+(?:(?:ist|sei|bezeichnet)\s+)?(?:ein|einen)\s+" + _DE_ADJ
         + r"skalar\b", "scalar"),
        (r"\b(?:ein|einen)\s+" + _DE_ADJ + r"skalar\s+" + _S.format("sym"), "scalar"),
        # French: "Soit $B$ une matrice $m\times n$", "$S$ une matrice symétrique de taille $n\times n$"
        (_S.format("sym") + _AFTER + r"(?:(?:est|soit|désigne|désignera)\s+)?(?:une|la)\s+matrice\s+"
         + _FR_ADJ + r"(?:(?:de|d')\s*(?:taille|dimension|format|type)\s+)?" + _TIMES, "matrix"),
        # "$\mathbf x$ un vecteur de taille $n$", "$\mathbf x$ un vecteur colonne de dimension $n$"
        (_S.format("sym") + _AFTER + r"(?:(?:est|soit|désigne)\s+)?(?:un|le)\s+vecteur\s+(?:colonne\s+|"
         r"(?P<row>ligne)\s+)?(?:de|d')\s*(?:taille|dimension|longueur)\s+" + _DIMS, "vector"),
        # Spanish: "$X$ es una matriz de tamaño $n\times p$", "$x$ un vector de dimensión $n$"
        (_S.format("sym") + _AFTER + r"(?:(?:es|sea|denota)\s+)?(?:una|la)\s+matriz\s+" + _ES_ADJ
         + r"(?:de\s+(?:tamaño|dimensión|dimensiones|orden)\s+)?" + _TIMES, "matrix"),
        # "$t$ est un scalaire", "$t$ es un escalar positivo"
        (_S.format("sym") + r"\s+(?:(?:est|soit|désigne)\s+)?un\s+" + _FR_ADJ + r"scalaire\b",
         "scalar"),
        (_S.format("sym") + r"\s+(?:(?:es|sea|denota)\s+)?un\s+escalar\b", "scalar"),
        (_S.format("sym") + _AFTER + r"(?:(?:es|sea|denota)\s+)?(?:un|el)\s+vector\s+(?:columna\s+|"
         r"(?P<row>fila)\s+)?de\s+(?:tamaño|dimensión|longitud)\s+" + _DIMS, "vector"),
        # Italian: "Sia $X$ una matrice $n\times p$", "$S$ è una matrice simmetrica di
        # dimensione $n\times n$", "$\mathbf x$ un vettore (colonna) di dimensione $n$"
        (_S.format("sym") + _AFTER + r"(?:(?:è|sia|indica|denota)\s+)?(?:una|la)\s+matrice\s+" + _IT_ADJ
         + r"(?:(?:di|delle)\s+(?:dimension[ei]|taglia|ordine)\s+)?" + _TIMES, "matrix"),
        (_S.format("sym") + _AFTER + r"(?:(?:è|sia|indica|denota)\s+)?(?:un|il)\s+vettore\s+(?:colonna\s+|"
         r"(?P<row>riga)\s+)?di\s+(?:dimensione|lunghezza|taglia)\s+" + _DIMS, "vector"),
        # Portuguese: "Seja $X$ uma matriz $n\times p$", "$\mathbf w$ um vetor de dimensão $p$"
        (_S.format("sym") + _AFTER + r"(?:(?:é|seja|denota)\s+)?(?:uma|a)\s+matriz\s+" + _ES_ADJ
         + r"(?:de\s+(?:tamanho|dimensão|dimensões|ordem)\s+)?" + _TIMES, "matrix"),
        (_S.format("sym") + _AFTER + r"(?:(?:é|seja|denota)\s+)?(?:um|o)\s+vetor\s+(?:coluna\s+|"
         r"(?P<row>linha)\s+)?de\s+(?:tamanho|dimensão|comprimento)\s+" + _DIMS, "vector"),
    )
)  # fmt: skip
# what a text must hold for those patterns to be searched in it
DECLARATION_NEEDS = ("矩阵", "矩陣", "向量", "矢量", "方阵", "方陣", "标量", "標量", "纯量",
                     "純量", "-matrix", "eine ", "vektor", "matrice", "vecteur", "matriz",
                     "un vector", "el vector", "vettore", "vetor", "skalar", "scalaire",
                     "escalar")  # fmt: skip
