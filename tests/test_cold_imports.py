r"""A command loads only what it needs (issue 17): ``--version`` and ``--help`` nothing of the
analysis, ``diff`` neither the language server nor scipy, ``check`` of a document without
derivatives not the engine nor numpy.

Each run is a fresh Python process (what is imported is then what the command imported),
which prints the third-party packages and texgrad's packages loaded after each step; no
timing is asserted (figures: ``benchmarks/cold.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from texgrad import cli, report_formats

WATCHED = (
    "sympy", "numpy", "scipy", "lark", "pygls", "lsprotocol", "mpmath", "markdown_it",
    "multiprocessing", "texgrad.reading.document", "texgrad.syntax.parse", "texgrad.shapes",
    "texgrad.shapes.dim_terms",
    "texgrad.calculus", "texgrad.workspace", "texgrad.protocol", "texgrad.report_formats",
    "logging", "importlib.resources", "texgrad.syntax.parse_cache",
)  # fmt: skip

# A process running ``texgrad ARGS`` for each step in turn (argv: a JSON list of steps) and
# printing, after each, which of WATCHED are imported (in order, one JSON line each).
STEPS = r"""
import contextlib, io, json, sys
from texgrad import cli
watched = json.loads(sys.argv[1])
for step in json.loads(sys.argv[2]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            status = cli.main(step)
        except SystemExit as exc:  # --version and --help exit
            status = exc.code
    loaded = [w for w in watched if w in sys.modules]
    print(json.dumps({"status": status, "loaded": loaded, "out": out.getvalue()}))
"""


def loaded_after(steps: list[list[str]], cwd: Path) -> list[dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, "-c", STEPS, json.dumps(WATCHED), json.dumps(steps)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _run_script(script: str, *args: str) -> str:
    """What ``python -c script args…`` prints (it must succeed)."""
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_version_and_help_load_nothing_of_the_analysis(tmp_path: Path) -> None:
    steps = [["--version"], ["--help"], ["diff", "--help"], ["check", "--help"],
             ["inspect", "--help"], ["lsp", "--help"], ["settings"]]  # fmt: skip
    where = r"A \in \mathbb{R}^{n \times n}; X \in \mathbb{R}^{n \times n}"
    diff = ["diff", r"\operatorname{tr}(A X)", "--where", where, "--wrt", "X", "--budget", "120"]
    results = loaded_after([*steps, diff], tmp_path)
    assert len(results) == len(steps) + 1
    assert results[0]["status"] == 0 and "texgrad 0.1.0" in str(results[0]["out"])
    assert "--no-derivatives" in str(results[3]["out"])  # the help was printed, in full
    assert "sarif" in str(results[3]["out"])
    for step, result in zip(steps, results[:-1], strict=True):
        assert result["loaded"] == [], step
    # then a derivative, the first thing loading anything: not the pool of check's processes,
    # its report formats, scipy or the server
    assert results[-1]["status"] == 0 and "A^\\top" in str(results[-1]["out"])
    assert {"sympy", "numpy", "texgrad.calculus"} <= set(results[-1]["loaded"])  # type: ignore[arg-type]
    for absent in ("multiprocessing", "texgrad.report_formats", "scipy", "pygls", "lsprotocol"):
        assert absent not in results[-1]["loaded"], absent  # type: ignore[operator]
    # nor what only a warning, a check's parse cache or a table's generation needs (~10 ms
    # of a one-shot diff's start)
    for absent in ("logging", "importlib.resources", "texgrad.syntax.parse_cache"):
        assert absent not in results[-1]["loaded"], absent  # type: ignore[operator]


def test_each_command_loads_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "plain.md").write_text(
        r"Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$; then $A x$ and $x A$." "\n",
        encoding="utf-8",
    )
    (tmp_path / "derivative.md").write_text(
        r"Let $x \in \mathbb{R}^n$. Then $\frac{\partial x^\top x}{\partial x} = 3x$." "\n",
        encoding="utf-8",
    )
    where = r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n"
    steps = [
        ["check", "plain.md"],
        ["inspect", "plain.md"],
        ["check", "derivative.md"],
        ["diff", r"x^\top A x", "--where", where, "--wrt", "x", "--budget", "120"],
    ]
    plain, inspect, derivative, diff = loaded_after(steps, tmp_path)
    assert plain["status"] == 1 and "[matmul-mismatch]" in str(plain["out"])  # x A
    # the checker and its dimensions (shapes/dim_terms.py, not SymPy's), but not the engine,
    # SymPy, numpy or the server, nor Lark (the parse runs the grammar's shipped tables in a
    # loop of its own: syntax/lalr.py)
    assert {"texgrad.shapes", "texgrad.shapes.dim_terms"} <= set(plain["loaded"])  # type: ignore[arg-type]
    for absent in ("sympy", "lark", "numpy", "scipy", "texgrad.calculus", "pygls", "lsprotocol",
                   "texgrad.protocol", "texgrad.workspace", "texgrad.report_formats"):  # fmt: skip
        assert absent not in plain["loaded"], absent  # type: ignore[operator]
    assert inspect["status"] == 0 and "numpy" not in inspect["loaded"]  # type: ignore[operator]
    # a written derivative to check: the engine and numpy, still not scipy nor the server
    assert derivative["status"] == 0 and "[wrong-derivative]" in str(derivative["out"])
    assert {"sympy", "numpy", "texgrad.calculus"} <= set(derivative["loaded"])  # type: ignore[arg-type]
    for absent in ("scipy", "pygls", "lsprotocol", "texgrad.protocol"):
        assert absent not in derivative["loaded"], absent  # type: ignore[operator]
    assert diff["status"] == 0 and str(diff["out"]).startswith(r"(A + A^\top) x")
    for absent in ("scipy", "pygls", "lsprotocol", "texgrad.protocol", "texgrad.workspace"):
        assert absent not in diff["loaded"], absent  # type: ignore[operator]


def test_the_formats_the_parser_offers_are_those_rendered() -> None:
    # cli names them without importing report_formats (which loads the reading layer)
    assert cli.REPORT_FORMATS == report_formats.FORMATS


def test_the_server_is_built_before_the_analysis_is_loaded() -> None:
    # what `texgrad lsp` loads before it answers initialize: pygls, not the checker (sympy)
    # nor the parser (lark) nor the engine; they load after initialize (workspace.checker,
    # the warm-up at initialized)
    script = (
        "import json, sys\n"
        "from texgrad.protocol.app import create_server\n"
        "server = create_server()\n"
        "print(json.dumps([w for w in json.loads(sys.argv[1]) if w in sys.modules]))\n"
    )
    watched = [*WATCHED, "texgrad.shapes.check", "texgrad.shapes.dims", "texgrad.calculus.expr"]
    stdout = _run_script(script, json.dumps(watched))
    loaded = json.loads(stdout)
    assert {"pygls", "lsprotocol", "texgrad.protocol", "texgrad.workspace"} <= set(loaded)
    for absent in ("sympy", "lark", "numpy", "scipy", "texgrad.syntax.parse",
                   "texgrad.calculus.expr", "texgrad.shapes.check", "texgrad.shapes.dims"):  # fmt: skip
        assert absent not in loaded, absent


def test_the_early_analysis_loads_neither_pygls_nor_lsprotocol(tmp_path: Path) -> None:
    # what `texgrad lsp` runs on the first document opened before it loads the server
    # (protocol/early_analysis.py): the analysis and its diagnostics as JSON, no pygls
    doc = tmp_path / "a.md"
    doc.write_text(
        r"Let $A \in \mathbb{R}^{2 \times 3}$ and $x \in \mathbb{R}^3$; then $x A$." "\n",
        encoding="utf-8",
    )
    script = (
        "import json, sys\n"
        "from texgrad.protocol import early_initialize, early_diagnostics, early_analysis\n"
        "from texgrad.protocol.paths import format_of, path_of\n"
        "from texgrad.protocol.plain_diagnostics import diagnostics_json\n"
        "from texgrad.workspace import Workspace\n"
        "uri = sys.argv[1]\n"
        "fmt = format_of(uri, 'markdown')\n"
        "path = path_of(uri, fmt)\n"
        "text = open(path, encoding='utf-8').read()\n"
        "got, ws, why = early_analysis.bounded(Workspace(), path, text, fmt, 300.0)\n"
        "found = diagnostics_json(got, 'utf-16')\n"
        "loaded = [w for w in json.loads(sys.argv[2]) if w in sys.modules]\n"
        "print(json.dumps({'codes': [d['code'] for d in found], 'why': why, 'loaded': loaded}))\n"
    )
    stdout = _run_script(script, doc.as_uri(), json.dumps([*WATCHED, "asyncio", "ssl"]))
    out = json.loads(stdout)
    assert out["codes"] == ["matmul-mismatch"] and out["why"] is None
    assert {"texgrad.shapes", "texgrad.workspace"} <= set(out["loaded"])
    # (nor asyncio, with ssl and socket ~20 ms of CPU: the server's reading loop imports it)
    for absent in ("sympy", "pygls", "lsprotocol", "numpy", "scipy", "texgrad.calculus",
                   "asyncio", "ssl"):  # fmt: skip
        assert absent not in out["loaded"], absent


def test_what_the_early_analysis_loads_before_its_document_comes() -> None:
    # `texgrad lsp` imports what the first analysis runs while the client reads
    # initialize's answer (protocol/early_analysis.load_analysis): the checker, not the
    # server, the engine nor a reader of one format
    script = (
        "import json, sys\n"
        "from texgrad.protocol import early_analysis\n"
        "before = [w for w in json.loads(sys.argv[1]) if w in sys.modules]\n"
        "early_analysis.load_analysis()\n"
        "after = [w for w in json.loads(sys.argv[1]) if w in sys.modules]\n"
        "print(json.dumps({'before': before, 'after': after}))\n"
    )
    watched = [*WATCHED, "texgrad.shapes.check", "texgrad.protocol.plain_diagnostics", "asyncio"]
    stdout = _run_script(script, json.dumps(watched))
    out = json.loads(stdout)
    assert "texgrad.shapes.check" not in out["before"]
    assert {"texgrad.shapes.check", "texgrad.workspace", "texgrad.syntax.parse_cache",
            "texgrad.protocol.plain_diagnostics"} <= set(out["after"])  # fmt: skip
    for absent in ("sympy", "numpy", "scipy", "pygls", "lsprotocol", "texgrad.calculus",
                   "markdown_it", "asyncio"):  # fmt: skip
        assert absent not in out["after"], absent
