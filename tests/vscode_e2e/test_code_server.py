"""The built ``.vsix`` in a real VS Code: code-server + headless Chromium, driven by playwright-core.

Opt-in (minutes, and large installs): run ``tests/vscode_e2e/setup.sh`` once, then
``TEXGRAD_E2E=1 .venv/bin/python -m pytest -n 0 -m vscode_e2e tests/vscode_e2e -s``.
Without ``TEXGRAD_E2E=1`` the test is skipped; with it, it still skips, saying what is
missing, where code-server, Node 24, playwright-core or Chromium are not installed.

The test packages the extension (``npm ci`` + ``npm run package`` in client-vscode/, under the
lock that tests/test_vscode_client.py takes), then ``drive.cjs`` installs the ``.vsix`` into a
fresh code-server, points ``texgrad.server.command`` (a machine-overridable setting, so in the
Remote settings) at this checkout's ``texgrad`` and checks, as a user sees them: the Problems
panel, a hover, a quick fix applied and saved, Differentiate applied and saved, Show derivation
opening a preview beside the document, a setting changed and honoured, Restart Server from the
palette, the texgrad output channel free of errors, the message when no server is found, and
the time from opening a ``.tex`` to its first diagnostic (printed, medians of several runs).
In a second window, a project as papers are written (tests/editors/harness.py's PROJECT: main.tex,
a macros file, a section with é, 中文 and an emoji before its math), its section opened first:
its mismatch and wrong derivative in the Problems panel at their line and column, Show derivation
(the section unedited), the wrong derivative's fix saved in place, the disabled "Differentiate g"
with its reason in the Refactor menu and from texgrad: Differentiate…, and the macros file edited
in VS Code changing the section's problems. In a third, a folder of Markdown alone: exactly one
information for math without declarations. ``TEXGRAD_E2E_ONLY=project,markdown`` runs only
those windows (sessions: main, project, markdown, notfound, nothing).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.editors.harness import (
    CANNOT_REASON,
    MACRO_EDIT,
    PROJECT,
    SECTION,
    SECTION_LINES,
    UNDECLARED,
    WRONG_FIXED,
)
from tests.test_vscode_client import CLIENT, LOCK, _npm, _run, _tail

HERE = Path(__file__).parent
CACHE = Path(os.environ.get("TEXGRAD_E2E_CACHE", Path.home() / ".cache" / "texgrad-e2e"))
CHROMIUM = Path(os.environ.get("TEXGRAD_E2E_CHROMIUM", "/usr/lib/chromium/chromium"))
NODE = CACHE / "node" / "bin" / "node"
CODE_SERVER = CACHE / "code-server" / "node_modules" / ".bin" / "code-server"
PLAYWRIGHT = CACHE / "playwright" / "node_modules" / "playwright-core"
RUNS = int(os.environ.get("TEXGRAD_E2E_RUNS", "5"))

CHECKS = [
    "diagnostics-in-problems-panel",
    "hover",
    "quick-fix-applied",
    "differentiate-applied",
    "show-derivation",
    "setting-changed-and-honoured",
    "restart-from-palette",
    "output-channel-without-errors",
    "time-to-first-diagnostic",
    "not-found-message",
    "set-up-offered",
    # a project (tests/editors/harness.py's PROJECT), its section opened first
    "project-section-first",
    "project-show-derivation",
    "project-wrong-derivative-fixed",
    "project-disabled-action-with-reason",
    "project-macros-edited",
    "project-macros-changed-on-disk",
    # a folder of Markdown alone
    "markdown-one-information-without-declarations",
]
SESSIONS = {  # the driver's sessions, and their checks
    "main": CHECKS[:9],
    "notfound": ["not-found-message"],
    "nothing": ["set-up-offered"],
    "project": [c for c in CHECKS if c.startswith("project-")],
    "markdown": ["markdown-one-information-without-declarations"],
}
# TEXGRAD_E2E_ONLY=project,markdown: only these sessions (all by default)
ONLY = [x for x in os.environ.get("TEXGRAD_E2E_ONLY", "").split(",") if x] or list(SESSIONS)

pytestmark = [
    pytest.mark.vscode_e2e,
    pytest.mark.skipif(
        os.environ.get("TEXGRAD_E2E") != "1",
        reason="opt-in: set TEXGRAD_E2E=1 (after tests/vscode_e2e/setup.sh) to run VS Code end to end",
    ),
]


def _missing() -> list[str]:
    missing = [
        f"{what} ({where})"
        for what, where in [
            ("Node 24", NODE),
            ("code-server", CODE_SERVER),
            ("playwright-core", PLAYWRIGHT),
            ("Chromium", CHROMIUM),
        ]
        if not where.exists()
    ]
    return missing


def _texgrad() -> str:
    found = Path(sys.executable).parent / "texgrad"
    if not found.is_file():
        pytest.skip(f"no texgrad beside {sys.executable}: install the checkout with pip -e")
    return str(found)


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = _missing()  # before the build: no minute of npm for a test that then skips
    if missing:
        pytest.skip("not installed: " + ", ".join(missing) + "; run tests/vscode_e2e/setup.sh")
    npm = _npm()
    version = json.loads((CLIENT / "package.json").read_text(encoding="utf-8"))["version"]
    out = tmp_path_factory.mktemp("vsix") / f"texgrad-{version}.vsix"
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = _run([npm, "ci", "--no-audit", "--no-fund"], timeout=600)
        assert proc.returncode == 0, f"npm ci failed:\n{_tail(proc)}"
        proc = _run([npm, "run", "package", "--", "--out", str(out)], timeout=600)
        assert proc.returncode == 0, f"npm run package failed:\n{_tail(proc)}"
    return out


def test_the_extension_in_code_server(vsix: Path, tmp_path: Path) -> None:
    # The not-found check needs a PATH without texgrad (the driver gives code-server the
    # system's PATH and Node 24 only).
    assert shutil.which("texgrad", path="/usr/local/bin:/usr/bin:/bin") is None, (
        "a texgrad on the system PATH would hide the not-found path"
    )
    fixture = tmp_path / "project.json"
    fixture.write_text(
        json.dumps(
            {
                "files": PROJECT,
                "section": SECTION,
                "lines": SECTION_LINES,
                "macro_edit": MACRO_EDIT,
                "wrong_fixed": WRONG_FIXED,
                "cannot": CANNOT_REASON,
                "undeclared": UNDECLARED,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    wanted = [c for c in CHECKS if any(c in SESSIONS[o] for o in ONLY)]
    proc = subprocess.run(
        [str(NODE), str(HERE / "drive.cjs"), "--cache", str(CACHE), "--vsix", str(vsix),
         "--texgrad", _texgrad(), "--work", str(tmp_path), "--runs", str(RUNS),
         "--project", str(fixture), "--only", ",".join(ONLY)],
        capture_output=True, text=True, timeout=1500, check=False,
    )  # fmt: skip
    results: dict[str, dict[str, Any]] = {}
    ttfd: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        item = json.loads(line)
        if "check" in item:
            results[item["check"]] = item
        if "ttfd" in item:
            ttfd = item["ttfd"]
    report = "\n".join(
        f"{'PASS' if r['ok'] else 'FAIL'} {name} ({r.get('ms', 0)} ms): {r['detail']}"
        for name, r in results.items()
    )
    print(report)
    if ttfd:
        print(
            "time to first diagnostic (ms): "
            f"fresh window median {ttfd['cold_median_ms']} {ttfd['cold_ms']}, "
            f"running server median {ttfd['warm_median_ms']} {ttfd['warm_ms']}; "
            f"texgrad activated {ttfd['activation_after_open_ms']} ms after each fresh open "
            "(negative: as the window started); "
            f"load average {ttfd['load_average']} on {ttfd['cores']} cores"
        )
    context = f"{report}\n--- driver stderr ---\n{proc.stderr[-3000:]}\nlogs in {tmp_path}"
    assert "driver" not in results, context
    assert [c for c in wanted if c not in results] == [], context
    assert [c for c in wanted if not results[c]["ok"]] == [], context
    assert proc.returncode == 0, context
    if "main" in ONLY:
        assert ttfd and len(ttfd["cold_ms"]) == RUNS + 1 and len(ttfd["warm_ms"]) == RUNS, context
