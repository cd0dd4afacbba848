r"""Say why, on documents written as people write them (``tests/lsp/say_why/``): each row
that states a function texgrad cannot differentiate lists "Differentiate …" disabled with
its reason (VS Code), or says that reason in the hover of the function (Neovim 0.7 and
eglot 1.9, which list no disabled action); the hover of a letter that has no shape says
what it is in the document's words (the function a row defines, an expectation, a set, a
block, a tensor), never "declare it" as a scalar; a symbol declared in ℂ is refused, not
differentiated as a real one.  (The command line's: tests/explain/test_say_why_cli.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.conftest import CONFIG, Doc, shut_down
from tests.lsp.test_old_clients import CAPABILITIES

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore:Client does not support 'workspace/configuration'"),
]

HERE = Path(__file__).parent / "say_why"
PROFILES = ["visual-studio-code", *CAPABILITIES]  # neovim-0.7, eglot-1.9

COMPLEX = (
    "is complex (declared in `\\mathbb{C}`): texgrad differentiates real variables only "
    "(complex derivatives, Wirtinger's, are not supported)"
)
UNDEFINED_G = (
    "cannot differentiate the function `g`: the document does not define it — define it "
    "(`g(x) = …`) to differentiate through it"
)
# (document, where the row's function is named, its name, the reason): each silent before
# or said wrongly — "Differentiate the expression" (R, E, V, s), no action at all and "`dt` is
# used inside a formula" (the integral), "cannot read the exponent `*`", "cannot read the
# index of this sum" (the tensor), `X_{1 : k}` (not the document's spelling), `\mathbf z
# \in \mathbb{R}` (a scalar suggested for a vector), `X \in \mathbb{R}` (for a matrix), and
# z^H A z of a complex z differentiated as if real, to (A + A^T) z
REFUSED = [
    ("risk_expectation.md", "R(W)", "R", r"`\mathbb E[\cdot]` (an expectation) is not supported"),
    ("leading_block.tex", "h(X)", "h", r"`X_{1:k}` (a block of rows or columns) is not supported"),
    ("integral.md", "E(\\theta)", "E", r"`\int` (an integral) is not supported"),
    ("prose_function.md", "J(\\mathbf w)", "J", UNDEFINED_G),
    ("declared_operator.tex", "s(W)", "s",
     r"cannot differentiate the function `\vech`: the document does not define it — define "
     r"it (`\vech(x) = …`) to differentiate through it"),
    ("tensor.md", "\\phi(U)", "\\phi",
     r"`\mathcal T_{ijk}` (an entry of a tensor, three indices or more) is not supported"),
    ("complex.tex", "f(z)", "f", "`z` " + COMPLEX),
    ("complex.tex", "g(A)", "g", "`A` " + COMPLEX),
    ("starred.md", "q(A)", "q",
     r"`A^*` is not read (a conjugate? an optimum?): for its transpose write `A^\top`; a value "
     r"named `A^*` must be declared, e.g. `A^* \in \mathbb{R}^{n \times n}`"),
    ("min_max.md", "V(y)", "V", r"cannot differentiate `\max` with a subscript"),
    # (z ~ N(0, I), declared nowhere, is a d-vector by its use beside μ: p is what is left)
    ("random_variable.md", "\\ell(", "\\ell",
     r"cannot differentiate the function `p`: the document does not define it — define it "
     r"(`p(x) = …`) to differentiate through it"),
    ("unknown_package.tex", "f(\\vx)", "f",
     r"`\vx` is a command the document does not define (from a package texgrad does not "
     r"know?) — define it, e.g. `\newcommand{\vx}{…}`, for texgrad to read it"),
    ("unknown_package.tex", "g(\\vx)", "g",
     r"`\norm` is a command the document does not define (from a package texgrad does not "
     r"know?) — define it, e.g. `\newcommand{\norm}{…}`, for texgrad to read it"),
    ("no_declarations.md", "f(w)", "f",
     r"the shape of `X` is unknown — declare it, e.g. `X \in \mathbb{R}^{m \times n}`"),
    # a plain small letter before a matrix is a coefficient (was `s \in \mathbb{R}^{n \times
    # n}`); a solution named with a star is a function of its argument
    ("coefficient.md", "f(X)", "f",
     r"the shape of `s` is unknown — declare it, e.g. `s > 0` or `s \in \mathbb{R}`"),
    ("coefficient.md", "x^\\star(", "\\mathbf x^\\star",
     r"the shape of `\lambda` is unknown — declare it, e.g. `\lambda > 0` or `\lambda \in \mathbb{R}`"),
]  # fmt: skip

# (document, the letter, what its hover says of it): before, each "has no shape: it is never
# declared; declare it, e.g. `… \in \mathbb{R}`" (or `X_{1:k} \in \mathbb{R}^{n \times n}`)
LETTERS = [
    ("risk_expectation.md", "R(W)", "`R` has no shape: it names the function this row defines (`R(W)`)"),
    ("risk_expectation.md", "\\mathbb E",
     r"`\mathbb E` has no shape: it is an expectation, which texgrad does not read"),
    ("prose_function.md", "g(\\mathbf w) - t",
     "`g` has no shape: it is used as a function the document does not define — define it "
     "(`g(x) = …`) to differentiate through it"),
    ("unknown_set.tex", "\\mathcal D}",
     r"`\mathcal D` has no shape: it is a set (what `\in` ranges over), not a quantity with a shape"),
    ("tensor.md", "\\mathcal T_{ijk}",
     r"`\mathcal T` has no shape: it is an entry of a tensor (three indices or more), which "
     "texgrad does not read"),
    ("coefficient.md", "sX",
     r"`s` has no shape: it is never declared (its use suggests a scalar coefficient); declare "
     r"it, e.g. `s \in \mathbb{R}`"),
    ("no_declarations.md", "Xw",
     r"`X` has no shape: it is never declared; declare it, e.g. `X \in \mathbb{R}^{m \times n}` "
     "(see README.md#declaring-shapes)"),
]  # fmt: skip


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def client(lsp_client: LanguageClient, request: Any, tmp_path: Path):
    if request.param in CAPABILITIES:
        caps = default_converter().structure(CAPABILITIES[request.param], types.ClientCapabilities)
    else:
        caps = client_capabilities(request.param)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="project")],
        )
    )
    lsp_client.profile = request.param  # type: ignore[attr-defined]
    lsp_client.root = tmp_path  # type: ignore[attr-defined]
    yield
    await shut_down(lsp_client)


async def _open(client: LanguageClient, name: str, opened: dict[str, Doc]) -> Doc:
    if name in opened:
        return opened[name]
    text = (HERE / name).read_text(encoding="utf-8")
    path: Path = client.root / name  # type: ignore[attr-defined]
    path.write_text(text, encoding="utf-8")
    language = "markdown" if name.endswith(".md") else "latex"
    doc = Doc(client, path, text, language)
    doc.enc = "utf-16"  # (no profile here is "neovim": every one speaks UTF-16)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=doc.uri, language_id=language, version=1, text=text
            )
        )
    )
    await doc.diagnostics()
    opened[name] = doc
    return doc


async def _listed(client: LanguageClient, doc: Doc, needle: str) -> list[types.CodeAction]:
    at = doc.pos(needle)
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=types.Range(at, at),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a for a in got or [] if isinstance(a, types.CodeAction)]


async def _hover(client: LanguageClient, doc: Doc, needle: str) -> str:
    got = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos(needle))
    )
    assert got is not None and isinstance(got.contents, types.MarkupContent), needle
    return got.contents.value


async def test_each_refused_row_says_why(client: LanguageClient) -> None:
    # (one server per profile, every document opened in it: the cases in one test)
    opened: dict[str, Doc] = {}
    profile = client.profile  # type: ignore[attr-defined]
    for name, needle, head, reason in REFUSED:
        doc = await _open(client, name, opened)
        listed = await _listed(client, doc, needle)
        hover = await _hover(client, doc, needle)
        if profile == "visual-studio-code":
            shown = [(a.title, a.disabled.reason) for a in listed if a.disabled is not None]
            assert shown == [(f"Differentiate {head}", reason)], name
            assert not [a for a in listed if a.disabled is None], name
            assert reason not in hover, name  # (said once: by the disabled action)
        else:  # no disabledSupport: nothing listed, the reason in the hover of the function
            assert listed == [], name
            if profile == "eglot-1.9":
                assert hover.endswith(f"cannot differentiate {head}: {reason.replace('`', '')}")
            else:
                assert hover.endswith(f"cannot differentiate `{head}`: {reason}"), name
        assert "(Derivative" not in hover and "(Paren" not in hover, name


async def test_a_letter_says_what_it_is(client: LanguageClient) -> None:
    opened: dict[str, Doc] = {}
    plain = client.profile == "eglot-1.9"  # type: ignore[attr-defined]
    for name, needle, said in LETTERS:
        doc = await _open(client, name, opened)
        hover = await _hover(client, doc, needle)
        assert (said.replace("`", "") if plain else said) in hover, name
        if "declare it" not in said:  # no declaration suggested, nor the README's link
            assert "declare it, e.g." not in hover and "declaring-shapes" not in hover, name


async def test_a_document_declaring_nothing_gets_one_note(client: LanguageClient) -> None:
    doc = await _open(client, "no_declarations.md", {})
    (note,) = await doc.diagnostics()
    assert note.code == "no-declarations"
    assert note.severity == types.DiagnosticSeverity.Information


async def test_declarations_of_undefined_commands_are_said_unread(client: LanguageClient) -> None:
    # (before: "no shape is declared in this document", under a declaration of \mA and \vx)
    doc = await _open(client, "unknown_package.tex", {})
    (note,) = await doc.diagnostics()
    assert note.code == "no-declarations"
    assert doc.span(note.range) == r"\mA \in \mathbb{R}^{n \times n}"
    assert note.message == (
        r"the shapes this document declares are of commands it does not define (`\mA`, `\vx`): "
        r"texgrad cannot read them — define each where the document can (e.g. "
        r"`\newcommand{\mA}{…}`, or `\input` the file that does), so that texgrad can check "
        "shapes and differentiate (see README.md#declaring-shapes)"
    )
