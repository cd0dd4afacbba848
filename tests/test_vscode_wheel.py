"""The texgrad wheel the VS Code extension ships (client-vscode/scripts/build-wheel.js, run by
`npm run package`) installs into a fresh virtual environment with its dependencies from the
package index, as the extension's "Set up texgrad" does, and runs: `texgrad --version` and the
language server the extension starts (`python -m texgrad lsp`) answering `initialize`.

Opt-in, out of the default run: a fresh environment downloads numpy, scipy and sympy (a minute
or two). Run it with `TEXGRAD_INSTALL_TESTS=1 .venv/bin/python -m pytest -m install`.
Skipped, saying so, without node.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "client-vscode" / "scripts" / "build-wheel.js"

pytestmark = [
    pytest.mark.install,
    pytest.mark.skipif(
        os.environ.get("TEXGRAD_INSTALL_TESTS") != "1",
        reason="installs into a fresh venv from the package index (1-2 min): set TEXGRAD_INSTALL_TESTS=1",
    ),
]


def _frame(message: dict[str, object]) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _messages(data: bytes) -> list[dict[str, object]]:
    out = []
    while b"\r\n\r\n" in data:
        head, rest = data.split(b"\r\n\r\n", 1)
        length = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
        out.append(json.loads(rest[:length]))
        data = rest[length:]
    return out


def test_the_shipped_wheel_installs_in_a_fresh_venv_and_serves(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip(
            "node is not on PATH: the wheel is built by client-vscode/scripts/build-wheel.js"
        )
    out = tmp_path / "server"
    env = {**os.environ, "TEXGRAD_PYTHON": sys.executable}
    built = subprocess.run(
        [node, str(SCRIPT), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = out.glob("texgrad-*.whl")
    assert built.stdout.strip() == f"build-wheel: {wheel}"
    names = zipfile.ZipFile(wheel).namelist()
    assert "texgrad/grammar/math.lark" in names

    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr[-2000:]

    script = target / ("Scripts/texgrad.exe" if os.name == "nt" else "bin/texgrad")
    version = subprocess.run(
        [str(script), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "texgrad 0.1.0"

    # The command the extension starts, answering the LSP handshake from the installed copy.
    session = b"".join(
        _frame(m)
        for m in (
            {
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}},
            },
            {"method": "initialized", "params": {}},
            {"id": 2, "method": "shutdown"},
            {"method": "exit"},
        )
    )
    lsp = subprocess.run(
        [str(python), "-m", "texgrad", "lsp"],
        input=session,
        capture_output=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    replies = {m.get("id"): m for m in _messages(lsp.stdout)}
    assert replies[1]["result"]["serverInfo"]["name"] == "texgrad", replies  # type: ignore[index]
    assert replies[1]["result"]["capabilities"]["hoverProvider"] is True  # type: ignore[index]
    assert replies[2] == {"jsonrpc": "2.0", "id": 2, "result": None}
    where = subprocess.run(
        [str(python), "-c", "import texgrad; print(texgrad.__file__)"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert where.stdout.strip().startswith(str(target)), (
        where.stdout
    )  # the installed copy, not the checkout
