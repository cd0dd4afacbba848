"""The README's install line, run as printed: ``pipx install .`` and ``uv tool install .`` in
the repository give a ``texgrad`` command of its own that checks documents and answers as a
language server.  Opt-in (it installs pipx, uv and texgrad's dependencies, a minute or more):

    TEXGRAD_TEST_INSTALLS=1 .venv/bin/python -m pytest tests/editors/test_install_tools.py

pipx and uv are installed into a scratch virtual environment, and each tool's environments
and commands go to a temporary folder; nothing outside it changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.editors.readme import snippet

REPO = Path(__file__).resolve().parents[2]
ENABLED = os.environ.get("TEXGRAD_TEST_INSTALLS") == "1"
pytestmark = pytest.mark.skipif(
    not ENABLED, reason="installs pipx, uv and texgrad: set TEXGRAD_TEST_INSTALLS=1 to run"
)


def install_commands() -> dict[str, list[str]]:
    """The README's line ``pipx install .   # or: uv tool install .``, as two commands."""
    line = snippet("Installing the server", "sh").splitlines()[0]
    first, _, alternative = line.partition("# or:")
    commands = {c.split()[0]: c.split() for c in (first, alternative)}
    assert set(commands) == {"pipx", "uv"}, line
    return commands


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("tools") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "pipx", "uv"]
    subprocess.run(pip, check=True, timeout=600)
    return venv / "bin"


def lsp_initialize(texgrad: Path) -> dict[str, object]:
    """One initialize request and a shutdown over stdio; the initialize result."""

    def frame(message: dict[str, object]) -> bytes:
        body = json.dumps(message).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    proc = subprocess.run(
        [str(texgrad), "lsp"],
        input=b"".join(frame(r) for r in requests),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    for chunk in proc.stdout.split(b"Content-Length: ")[1:]:
        message = json.loads(chunk.split(b"\r\n\r\n", 1)[1])
        if message.get("id") == 1:
            return message["result"]
    raise AssertionError(f"no initialize result: {proc.stdout!r}")


@pytest.mark.parametrize("tool", ["pipx", "uv"])
def test_the_install_line_gives_a_working_texgrad(tool: str, tools: Path, tmp_path: Path) -> None:
    command = install_commands()[tool]
    bin_dir = tmp_path / "bin"
    env = {
        **os.environ,
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(bin_dir),
        "UV_TOOL_DIR": str(tmp_path / "uv"),
        "UV_TOOL_BIN_DIR": str(bin_dir),
    }
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=900)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    texgrad = bin_dir / "texgrad"
    shown = subprocess.run([str(texgrad), "--version"], capture_output=True, text=True, timeout=60)
    assert shown.stdout.strip() == f"texgrad {version('texgrad')}"
    # its own environment: not this one's
    assert Path(sys.executable).parent.resolve() not in texgrad.resolve().parents
    checked = subprocess.run(
        [str(texgrad), "check", "examples/"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert checked.returncode == 1 and "[matmul-mismatch]" in checked.stdout, checked
    result = lsp_initialize(texgrad)
    assert result["serverInfo"]["name"] == "texgrad"  # type: ignore[index]
    assert "hoverProvider" in result["capabilities"]  # type: ignore[operator]
