"""The VS Code extension in client-vscode/: `npm ci`, `npm test` and `npm run package`.

`npm test` type-checks, lints and runs the extension's unit tests, among them the check that
its package.json contributes exactly the settings of `texgrad settings --json` (run with this
interpreter through TEXGRAD_PYTHON). Skipped, saying so, where npm is not installed.

Both tests work in client-vscode/ (its node_modules/, out/ and dist/, all ignored by git), so
they take turns there under a file lock, whichever xdist worker runs them: one test's `npm ci`
cannot pull the modules from under the other, and `npm ci` runs once per test run. The .vsix
is written to a temporary folder, never into the source tree.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CLIENT = REPO / "client-vscode"

pytestmark = pytest.mark.vscode

# One lock per checkout, outside it; one `npm ci` per test run (xdist's workers share its id).
LOCK = Path(tempfile.gettempdir()) / (
    "texgrad-vscode-" + hashlib.sha256(str(CLIENT).encode()).hexdigest()[:16] + ".lock"
)
RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
INSTALLED = CLIENT / "node_modules" / ".texgrad-test-run"  # which run last did `npm ci`


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not on PATH: the VS Code extension needs Node 20 and npm to build")
    return npm


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEXGRAD_PYTHON": sys.executable, "NO_COLOR": "1"}
    return subprocess.run(
        args, cwd=CLIENT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _tail(proc: subprocess.CompletedProcess[str], lines: int = 80) -> str:
    out = (proc.stdout + "\n" + proc.stderr).strip().splitlines()
    return "\n".join(out[-lines:])


@pytest.fixture
def npm_installed() -> Iterator[str]:
    """npm, with client-vscode/ to this test alone and the exact dependencies of
    package-lock.json installed there (`npm ci`, by the first test of the run)."""
    npm = _npm()
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (INSTALLED.is_file() and INSTALLED.read_text(encoding="utf-8") == RUN):
            proc = _run([npm, "ci", "--no-audit", "--no-fund"], timeout=600)
            assert proc.returncode == 0, f"npm ci failed:\n{_tail(proc)}"
            INSTALLED.write_text(RUN, encoding="utf-8")
        yield npm


def test_npm_test(npm_installed: str) -> None:
    proc = _run([npm_installed, "test"], timeout=600)
    assert proc.returncode == 0, f"npm test failed:\n{_tail(proc)}"
    assert "fail 0" in proc.stdout, _tail(proc)


def test_npm_run_package(npm_installed: str, tmp_path: Path) -> None:
    version = json.loads((CLIENT / "package.json").read_text(encoding="utf-8"))["version"]
    vsix = tmp_path / f"texgrad-{version}.vsix"
    # `npm run package -- --out FILE` hands --out to `vsce package`.
    proc = _run([npm_installed, "run", "package", "--", "--out", str(vsix)], timeout=600)
    assert proc.returncode == 0, f"npm run package failed:\n{_tail(proc)}"
    assert vsix.is_file(), f"no {vsix.name}:\n{_tail(proc)}"

    with zipfile.ZipFile(vsix) as z:
        names = z.namelist()
        manifest = json.loads(z.read("extension/package.json"))
        bundle = z.read("extension/dist/extension.js").decode("utf-8")
    lower = {n.lower() for n in names}
    assert "extension/readme.md" in lower, names
    assert manifest["main"] == "./dist/extension.js"
    assert not [n for n in names if "node_modules" in n], names
    assert not [n for n in names if n.startswith("extension/src/") or n.endswith(".ts")], names
    # The texgrad wheel the extension sets a server up from (scripts/build-wheel.js).
    wheels = [n for n in names if n.startswith("extension/server/")]
    assert len(wheels) == 1 and wheels[0].startswith("extension/server/texgrad-"), names
    assert wheels[0].endswith("-py3-none-any.whl"), wheels
    with zipfile.ZipFile(vsix) as z, zipfile.ZipFile(io.BytesIO(z.read(wheels[0]))) as wheel:
        assert "texgrad/grammar/math.lark" in wheel.namelist()
        assert "texgrad/cli.py" in wheel.namelist()
    # The language client is bundled in, and `vscode` is left to the editor.
    assert "vscode-languageclient" in bundle or "LanguageClient" in bundle
    assert 'require("vscode")' in bundle
