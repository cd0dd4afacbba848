r"""`texgrad check --format sarif|github`: SARIF 2.1.0 valid against the OASIS schema (vendored
in tests/schemas/), a rule with help for every code, UTF-16 columns, URIs relative to the
working directory, related locations and fixes; GitHub workflow commands escaped as GitHub's
toolkit does. Both say what `--format json` says, record for record."""

from __future__ import annotations

import json
import re
import shlex
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlparse
from urllib.request import url2pathname

import jsonschema
import pytest
import yaml

from tests.fixtures import run_cli
from texgrad import __version__, cli
from texgrad.calculus.unchecked import CODES as EXPLAIN_CODES
from texgrad.report_formats import (
    RULES,
    escape_data,
    escape_property,
    github_commands,
    render,
)
from texgrad.shapes.diagnostics import CODES

SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"

# One case of every code texgrad check reports, and the text around formulas in other
# scripts: `𝔼` is one character but two UTF-16 code units, `Größe →` one unit each.
ALL = r"""# Every code

Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$, $s \in \mathbb{R}^m$ and $y \in \mathbb{R}^m$.
Then $A y$ (matmul), $x + s$ (add), $\operatorname{tr}(A)$ (square), $x \odot s$ (elementwise),
$\begin{bmatrix} A & x \end{bmatrix}$ (blocks) are wrong, and so is the equation
$$
x =
A^\top A
$$
Let $f : \mathbb{R}^n \to \mathbb{R}$. Then $f(s)$ is wrong.

Let $q \in \mathbb{R}^n$ and $q \in \mathbb{R}^m$ be given.

Let $B \in \mathbb{R}^{n \times n}$. Then $\nabla_x (x^\top B x) = 2Bx$.

Expanding, $\|Bx\|^2 = x^\top B^\top B x = x^\top B B^\top x$.

Too deep: $(((((((((((((((((((((((((((((((((((((((((((((x)))))))))))))))))))))))))))))))))))))))))))))$. Too large: $v \in \mathbb{R}^{9^{9^{9}}}$.
"""
UNICODE = (
    "# Größe\n\nGröße 𝔼 → $C \\in \\mathbb{R}^{m \\times n}$, $z \\in \\mathbb{R}^m$: 𝔼 → $C z$.\n"
)
BARE = "Just $a b + c$ here, 100%.\n"
# a byte-order mark and CRLF line ends, as Windows editors write
CRLF = (
    "\ufeff\\documentclass{article}\r\n\\begin{document}\r\n"
    "Let $A \\in \\mathbb{R}^{m \\times n}$, $y \\in \\mathbb{R}^m$; é $A y$.\r\n\\end{document}\r\n"
)
FILES = {"all.md": ALL, "Größe x.md": UNICODE, "bare.md": BARE, "tex/crlf.tex": CRLF}


def run(*argv: str) -> tuple[int, str]:
    """Exit status and stdout of ``texgrad ARGV`` run in this process."""
    code, out, _ = run_cli(*argv)
    return code, out


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The documents checked once in each format, from their folder."""
    root = tmp_path_factory.mktemp("formats")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode("utf-8"))
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        runs = {fmt: run("check", "--format", fmt, ".") for fmt in ("json", "sarif", "github")}
    return {"root": root, **{fmt: out for fmt, (_, out) in runs.items()},
            "codes": {fmt: code for fmt, (code, _) in runs.items()}}  # fmt: skip


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def validate(log: dict[str, Any]) -> None:
    spec = schema()
    validator = jsonschema.validators.validator_for(spec)
    validator.check_schema(spec)
    validator(spec, format_checker=validator.FORMAT_CHECKER).validate(log)


def line_of(root: Path, path: str, line: int) -> str:
    text = (root / path).read_text(encoding="utf-8-sig")
    return text.replace("\r\n", "\n").split("\n")[line - 1]


def utf16_slice(line: str, start: int, end: int) -> str:
    units = line.encode("utf-16-le")
    return units[2 * (start - 1) : 2 * (end - 1)].decode("utf-16-le")


def file_of(location: dict[str, Any], log: dict[str, Any]) -> Path:
    """The file a SARIF artifactLocation names, resolved as a consumer resolves it."""
    art = location["physicalLocation"]["artifactLocation"]
    uri = art["uri"]
    if "uriBaseId" in art:
        uri = urljoin(log["runs"][0]["originalUriBaseIds"][art["uriBaseId"]]["uri"], uri)
    return Path(url2pathname(urlparse(uri).path))


# -- SARIF ------------------------------------------------------------------------------


def test_the_vendored_schema_is_the_oasis_one() -> None:
    spec = schema()
    assert spec["id"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    assert spec["properties"]["version"]["enum"] == ["2.1.0"]
    # and it rejects what SARIF forbids: the validation below can fail
    with pytest.raises(jsonschema.ValidationError):
        validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})
    with pytest.raises(jsonschema.ValidationError):
        region = {"startLine": 1, "startColumn": 0}  # columns are 1-based
        result = {"message": {"text": "m"}, "locations": [{"physicalLocation": {"region": region}}]}
        validate({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [result]}]})  # fmt: skip


def test_sarif_is_valid_against_the_schema(checked: dict[str, Any]) -> None:
    log = json.loads(checked["sarif"])
    validate(log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    assert checked["codes"] == {"json": 1, "sarif": 1, "github": 1}  # errors: status 1 in each


def test_the_driver_has_a_rule_with_help_for_every_code(checked: dict[str, Any]) -> None:
    driver = json.loads(checked["sarif"])["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("texgrad", __version__)
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(CODES)  # one each, in CODES' order
    assert set(RULES) == set(CODES)  # help written for every code, none for a code not made
    for r in rules:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert r["shortDescription"]["text"] != r["fullDescription"]["text"]
        assert (
            "How to fix it" in r["help"]["text"] and "**How to fix it.**" in r["help"]["markdown"]
        )
        assert "`" not in r["help"]["text"]  # plain text: no Markdown code spans
        assert r["name"].lower() != r["id"].lower()  # SARIF1001: a name unlike the id
        assert re.fullmatch(r"([A-Z][a-z]+)+", r["name"])
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert levels["matmul-mismatch"] == "error"
    assert levels["wrong-derivative"] == levels["redeclared"] == "warning"
    assert levels["no-declarations"] == "note"
    assert len({r["help"]["text"] for r in rules}) == len(rules)


def test_results_say_what_the_json_says(checked: dict[str, Any]) -> None:
    records = json.loads(checked["json"])
    log = json.loads(checked["sarif"])
    run_ = log["runs"][0]
    results = run_["results"]
    # the documents make every code but --explain's and that of a bound reached (their own tests)
    made_elsewhere = {*EXPLAIN_CODES, "derivatives-unchecked"}
    assert {r["code"] for r in records} == set(CODES) - made_elsewhere
    assert len(results) == len(records)
    rules = run_["tool"]["driver"]["rules"]
    level = {"error": "error", "warning": "warning", "information": "note"}
    for rec, res in zip(records, results, strict=True):
        assert res["ruleId"] == rec["code"] == rules[res["ruleIndex"]]["id"]
        assert res["level"] == level[rec["severity"]]
        assert res["message"]["text"] == rec["message"]
        assert file_of(res["locations"][0], log) == checked["root"] / rec["path"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["endLine"]) == (rec["line"], rec["end_line"])
        if rec["line"] == rec["end_line"]:  # the same text, counted in UTF-16 and in characters
            line = line_of(checked["root"], rec["path"], rec["line"])
            written = line[rec["column"] - 1 : rec["end_column"] - 1]
            assert (
                written and utf16_slice(line, region["startColumn"], region["endColumn"]) == written
            )
            assert region["snippet"]["text"] == written  # for a viewer without the file
            context = res["locations"][0]["physicalLocation"]["contextRegion"]
            assert context["snippet"]["text"] == line and context["startLine"] == rec["line"]
        related = res.get("relatedLocations", [])
        assert [x["message"]["text"] for x in related] == [x["message"] for x in rec["related"]]
        assert [x["id"] for x in related] == list(range(1, len(related) + 1))
    assert run_["columnKind"] == "utf16CodeUnits"


def test_columns_count_utf16_code_units(checked: dict[str, Any]) -> None:
    log = json.loads(checked["sarif"])
    (res,) = [r for r in log["runs"][0]["results"] if "Gr" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]  # fmt: skip
    line = UNICODE.splitlines()[2]
    at = line.index("C z")
    region = res["locations"][0]["physicalLocation"]["region"]
    # two `𝔼` before the product: two more UTF-16 units than characters (`ö`, `ß`, `→`: one)
    assert region == {"startLine": 3, "startColumn": at + 3, "endLine": 3, "endColumn": at + 6,
                      "snippet": {"text": "C z"}}  # fmt: skip
    decl_c, decl_z = (r["physicalLocation"]["region"] for r in res["relatedLocations"])
    assert decl_c["startColumn"] == line.index("C \\in") + 2  # one `𝔼` before it
    assert utf16_slice(line, decl_z["startColumn"], decl_z["endColumn"]) == "z"
    # the CRLF file with a byte-order mark: columns as an editor shows them
    (tex,) = [r for r in log["runs"][0]["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "tex/crlf.tex"]  # fmt: skip
    region = tex["locations"][0]["physicalLocation"]["region"]
    line = CRLF.split("\r\n")[2]
    assert utf16_slice(line, region["startColumn"], region["endColumn"]) == "A y"


def test_uris_are_relative_to_the_working_directory(checked: dict[str, Any]) -> None:
    log = json.loads(checked["sarif"])
    base = log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert base == checked["root"].resolve().as_uri() + "/"
    arts = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert arts == {"all.md", "Gr%C3%B6%C3%9Fe%20x.md", "bare.md", "tex/crlf.tex"}
    assert unquote("Gr%C3%B6%C3%9Fe%20x.md") == "Größe x.md"
    for r in log["runs"][0]["results"]:
        for loc in [*r["locations"], *r.get("relatedLocations", [])]:
            assert loc["physicalLocation"]["artifactLocation"]["uriBaseId"] == "SRCROOT"
            # RFC 3986 characters only (the schema's uri-reference is not checked by draft 4)
            assert re.fullmatch(r"[A-Za-z0-9._~/%-]+", loc["physicalLocation"]["artifactLocation"]["uri"])  # fmt: skip
            assert file_of(loc, log).is_file()


def test_a_file_outside_the_working_directory_gets_an_absolute_uri(
    checked: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = checked["root"]
    monkeypatch.chdir(root / "tex")
    code, out = run("check", "--format", "sarif", "../Größe x.md")
    assert code == 1
    log = json.loads(out)
    validate(log)
    (res,) = log["runs"][0]["results"]
    art = res["locations"][0]["physicalLocation"]["artifactLocation"]
    assert "uriBaseId" not in art
    assert art["uri"] == (root / "Größe x.md").resolve().as_uri()
    assert file_of(res["locations"][0], log) == (root / "Größe x.md").resolve()


def test_related_places_in_another_file_with_a_byte_order_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # offsets count from after the mark (as texgrad reads the file): so do the columns
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\input{setup}\nThen $A y$.\n\\end{document}\n",
        encoding="utf-8",
    )
    setup = "% setup\nLet $A \\in \\mathbb{R}^{m \\times n}$ and $y \\in \\mathbb{R}^m$.\n"
    (tmp_path / "setup.tex").write_text("\ufeff" + setup, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "--format", "json", "main.tex")
    (rec,) = json.loads(out)
    assert code == 1 and [(r["path"], r["line"], r["column"]) for r in rec["related"]] == [
        ("setup.tex", 2, 6),
        ("setup.tex", 2, 42),
    ]
    code, out = run("check", "--format", "sarif", "main.tex")
    (res,) = json.loads(out)["runs"][0]["results"]
    line = setup.splitlines()[1]
    regions = [r["physicalLocation"]["region"] for r in res["relatedLocations"]]
    assert [utf16_slice(line, r["startColumn"], r["endColumn"]) for r in regions] == ["A", "y"]


def test_the_wrong_derivative_carries_its_fix(checked: dict[str, Any]) -> None:
    log = json.loads(checked["sarif"])
    (res,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "wrong-derivative"]
    assert res["level"] == "warning"
    (fix,) = res["fixes"]
    assert fix["description"]["text"].startswith("Replace by the derivative texgrad verified")
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "all.md", "uriBaseId": "SRCROOT"}
    (rep,) = change["replacements"]
    region = rep["deletedRegion"]
    line = ALL.splitlines()[region["startLine"] - 1]
    assert utf16_slice(line, region["startColumn"], region["endColumn"]) == "2Bx"
    assert rep["insertedContent"]["text"].replace(" ", "") == "(B+B^\\top)x"


def test_no_diagnostics_is_a_valid_empty_run_and_a_missing_file_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ok.md").write_text(r"Let $x \in \mathbb{R}^n$. Then $x^\top x$.", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "--format", "sarif", "ok.md")
    log = json.loads(out)
    validate(log)
    assert code == 0 and log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(CODES)
    assert log["runs"][0]["invocations"] == [
        {"executionSuccessful": True, "toolExecutionNotifications": []}
    ]
    (tmp_path / "junk.tex").write_bytes(b"\x00\x01$x$")
    code, out = run("check", "--format", "sarif", "ok.md", "missing.md", "junk.tex")
    assert code == 2
    log = json.loads(out)
    validate(log)  # the files that were read are still reported, and what was not is said
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    said = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    # what stderr says, whatever its words: one line each, naming the file
    assert len(said) == 2 and "missing.md" in said[0] and "no such file" in said[0]
    assert "junk.tex" in said[1] and "not a text file" in said[1]
    code, out = run("check", "--format", "github", "ok.md")
    assert (code, out) == (0, "")
    code, out = run("check", "--format", "github", "ok.md", "missing.md")
    assert code == 2 and out.startswith("::error title=texgrad::texgrad: ")
    assert "missing.md" in out and "no such file" in out
    assert out.count("\n") == 1


# -- GitHub Actions ---------------------------------------------------------------------


def test_escaping_is_githubs() -> None:
    # as @actions/core's command.ts: data escapes %, CR, LF; properties also : and ,
    assert escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    assert escape_property("%3A") == "%253A"  # escaped once, never read back as a colon


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command read as the runner reads it."""

    def unescape(s: str) -> str:
        for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            s = s.replace(code, ch)
        return s

    assert line.startswith("::")
    head, _, message = line[2:].partition("::")
    command, _, props = head.partition(" ")
    pairs = dict(p.split("=", 1) for p in props.split(","))
    return command, {k: unescape(v) for k, v in pairs.items()}, unescape(message)


def test_github_annotations_one_per_diagnostic(checked: dict[str, Any]) -> None:
    records = json.loads(checked["json"])
    lines = checked["github"].splitlines()
    assert len(lines) == len(records)
    command = {"error": "error", "warning": "warning", "information": "notice"}
    for rec, line in zip(records, lines, strict=True):
        name, props, message = parse_command(line)
        assert name == command[rec["severity"]]
        assert props["file"] == rec["path"] and props["line"] == str(rec["line"])
        assert props["endLine"] == str(rec["end_line"])
        assert props["title"] == f"texgrad {rec['code']}"
        if rec["line"] == rec["end_line"]:
            assert (props["col"], props["endColumn"]) == (str(rec["column"]), str(rec["end_column"]))  # fmt: skip
        else:  # GitHub takes no columns for a range over lines
            assert "col" not in props and "endColumn" not in props
        notes = [f"note: {r['path']}:{r['line']}:{r['column']}: {r['message']}" for r in rec["related"]]  # fmt: skip
        assert message.split("\n") == [rec["message"], *notes]
    assert any(parse_command(x)[0] == "notice" for x in lines)
    assert any("col" not in parse_command(x)[1] for x in lines)  # the equation over two lines
    (first,) = [x for x in lines if x.startswith("::error file=all.md,line=4,col=7,")]
    assert first.startswith("::error file=all.md,line=4,col=7,endLine=4,endColumn=10,title=texgrad matmul-mismatch::")  # fmt: skip
    assert "%0Anote: all.md:3:6: `A` declared" in first


def test_github_commands_escape_what_a_message_holds() -> None:
    record = {
        "path": "notes/a,b:c.md", "line": 2, "column": 3, "end_line": 2, "end_column": 5,
        "severity": "warning", "code": "wrong-derivative", "message": "50% off\nsecond line",
        "related": [],
    }  # fmt: skip
    (line,) = github_commands([record])
    assert line == (
        "::warning file=notes/a%2Cb%3Ac.md,line=2,col=3,endLine=2,endColumn=5,"
        "title=texgrad wrong-derivative::50%25 off%0Asecond line"
    )
    assert render("github", [record]) == line + "\n"


# -- pre-commit and the README's CI section ----------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def hooks() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(
        (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    )
    return loaded


def readme_ci_yaml() -> list[Any]:
    """The YAML blocks of the README's section "In CI", parsed."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## In CI\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```yaml\n(.*?)^```$", section, flags=re.M | re.S)
    return [yaml.safe_load(b) for b in blocks]


def test_the_pre_commit_hook_has_what_pre_commit_requires() -> None:
    (hook,) = hooks()
    # pre-commit's manifest schema: id, name, entry and language are required
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["id"] == "texgrad" and hook["language"] == "python"
    assert hook["entry"] == "texgrad check"
    # what `language: python` installs puts the command on the PATH of the hook
    (script,) = entry_points(group="console_scripts", name="texgrad")
    assert script.value == "texgrad.cli:main"
    assert hook["require_serial"] is True
    assert set(hook) <= {"id", "name", "description", "entry", "language", "files",
                         "require_serial", "minimum_pre_commit_version"}  # fmt: skip


def test_the_hook_takes_the_documents_texgrad_reads() -> None:
    files = re.compile(hooks()[0]["files"])
    for suffix in cli.DOCUMENT_SUFFIXES:  # what `texgrad check FOLDER` reads, in any case
        for name in (f"a{suffix}", f"docs/ch 1/b{suffix.upper()}", f"c{suffix.title()}"):
            assert files.search(name), name
    assert files.search("notes/analysis.Rmd") and files.search("paper/main.TeX")
    for name in ("setup.py", "notes.txt", "main.tex.bak", "md", "README", "x.mdown", "a.texi"):
        assert not files.search(name), name


def test_the_readme_hooks_are_the_shipped_one() -> None:
    blocks = readme_ci_yaml()
    configs = [b for b in blocks if isinstance(b, dict) and "repos" in b]
    remote, local = (c["repos"][0] for c in configs)
    assert [h["id"] for h in remote["hooks"]] == ["texgrad"]
    assert set(remote) == {"repo", "rev", "hooks"}  # the three lines a user adds
    (hook,) = local["hooks"]
    shipped = hooks()[0]
    assert local["repo"] == "local" and hook["language"] == "system"
    for key in ("id", "name", "entry", "files", "require_serial"):
        assert hook[key] == shipped[key], key


def test_the_readme_workflow_steps_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `texgrad check` steps of the README's workflows, run as written (their words as
    the arguments of texgrad's `main`, a `>` as the shell's) in a copy of the examples, one
    of which has a mismatch."""
    jobs = [b["jobs"]["check"] for b in readme_ci_yaml() if isinstance(b, dict) and "jobs" in b]
    assert len(jobs) == 2
    steps = [s for job in jobs for s in job["steps"]]
    runs = [s["run"] for s in steps if str(s.get("run", "")).startswith("texgrad check")]
    assert runs == ["texgrad check --format github .", "texgrad check --format sarif . > texgrad.sarif"]  # fmt: skip
    (upload,) = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    assert upload["with"]["sarif_file"] == "texgrad.sarif"
    assert jobs[1]["permissions"]["security-events"] == "write"
    for example in (REPO / "examples").iterdir():
        (tmp_path / example.name).write_bytes(example.read_bytes())
    monkeypatch.chdir(tmp_path)
    outputs = []
    for command in runs:
        words = shlex.split(command)
        assert words[0] == "texgrad"
        words, _, target = " ".join(words[1:]).partition(" > ")
        code, out = run(*words.split())
        assert code == 1  # the mismatch fails the step
        if target:
            (tmp_path / target).write_text(out, encoding="utf-8")
        outputs.append(out)
    assert outputs[0].startswith("::error file=least-squares.tex,line=27,col=55,")
    log = json.loads((tmp_path / "texgrad.sarif").read_text(encoding="utf-8"))
    validate(log)
    (res,) = log["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "least-squares.tex"


def test_the_information_uri_is_the_packages_home_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from email.message import Message

    from texgrad import report_formats

    meta = Message()
    meta["Project-URL"] = "Documentation, https://docs.example.org/"
    meta["Project-URL"] = "Homepage, https://example.org/texgrad"
    monkeypatch.setattr(report_formats, "metadata", lambda name: meta)
    assert report_formats.information_uri() == "https://example.org/texgrad"
    monkeypatch.setattr(report_formats, "metadata", lambda name: Message())
    assert report_formats.information_uri() == "https://pypi.org/project/texgrad/"


def _notebook(tmp_path: Path) -> Path:
    """A notebook whose second Markdown cell multiplies an n×p matrix by itself."""

    def cell(kind: str, text: str) -> dict[str, Any]:
        return {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True)}

    nb = {
        "cells": [
            cell("markdown", "# Notes\n\nLet $X \\in \\mathbb{R}^{n \\times p}$.\n"),
            cell("code", "import numpy as np\n"),
            cell("markdown", "Intro.\n\nThen $X X$ is wrong.\n"),
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "notes.ipynb"
    path.write_text(json.dumps(nb, indent=1))
    return path


def test_a_notebook_s_places_are_said_in_cells_not_as_file_regions(tmp_path: Path) -> None:
    """A notebook's lines count in its cells, not in its JSON file: SARIF and GitHub give
    the file without a region or a line (one would point into the JSON) and say the cell,
    line and column in the message; a fix, whose region would be the file's, is left out."""
    path = _notebook(tmp_path)
    code, out, _ = run_cli("check", str(path), "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    validate(log)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "matmul-mismatch"
    assert result["message"]["text"].startswith("cell 3, line 3, column 7: ")
    assert "region" not in result["locations"][0]["physicalLocation"]
    assert "fixes" not in result
    code, out, _ = run_cli("check", str(path), "--format", "github")
    (line,) = [x for x in out.splitlines() if x.startswith("::")]
    assert ",line=" not in line and ",col=" not in line
    assert "::cell 3, line 3, column 7: " in line
