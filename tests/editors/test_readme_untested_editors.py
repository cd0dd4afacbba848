"""The README's Helix, Sublime Text and Zed snippets cannot be run here (none of the three is
packaged for this machine): they are checked against what their own documentation says
instead.  Each is read out of README.md, parsed, and its keys compared with the keys that
documentation lists; the server command and the settings it sends are texgrad's own."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version

import pytest

from tests.editors.readme import section, snippet
from tests.editors.settings_check import assert_known_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

# Helix's documentation (book/src/languages.md): the keys of a [language-server.NAME] table,
# and of a [[language]] entry those this snippet may use; its built-in languages.toml names
# the languages "latex" and "markdown".
HELIX_SERVER_KEYS = {
    "command",
    "args",
    "config",
    "timeout",
    "environment",
    "required-root-patterns",
}
HELIX_LANGUAGE_KEYS = {"name", "language-servers", "file-types", "roots", "language-id"}
# sublimelsp's documentation (client_configuration.md): the keys of a server configuration.
SUBLIME_KEYS = {
    "enabled", "command", "selector", "env", "settings", "initialization_options",
    "priority_selector", "diagnostics_mode", "tcp_port", "experimental_capabilities",
    "disabled_capabilities", "markdown_language_map", "syntax_map",
}  # fmt: skip
# Zed's extension documentation: extension.toml's top-level keys and a language server's.
ZED_EXTENSION_KEYS = {
    "id", "name", "version", "schema_version", "authors", "description", "repository",
    "language_servers",
}  # fmt: skip
ZED_SERVER_KEYS = {"name", "languages", "language", "language_ids"}


def test_helix_languages_toml() -> None:
    toml = tomllib.loads(snippet("Helix (untested)", "toml"))
    assert set(toml) == {"language-server", "language"}
    server = toml["language-server"]["texgrad"]
    assert set(server) <= HELIX_SERVER_KEYS, set(server) - HELIX_SERVER_KEYS
    assert (server["command"], server["args"]) == ("texgrad", ["lsp"])
    assert_known_settings(server["config"])
    languages = {entry["name"]: entry for entry in toml["language"]}
    assert set(languages) == {"latex", "markdown"}
    for entry in languages.values():
        assert set(entry) <= HELIX_LANGUAGE_KEYS, set(entry) - HELIX_LANGUAGE_KEYS
        assert "texgrad" in entry["language-servers"]


def test_sublime_lsp_server_configuration() -> None:
    config = json.loads(snippet("Sublime Text (untested)", "json"))
    assert list(config) == ["texgrad"]
    server = config["texgrad"]
    assert set(server) <= SUBLIME_KEYS, set(server) - SUBLIME_KEYS
    assert server["enabled"] is True and server["command"] == ["texgrad", "lsp"]
    # Sublime's base scopes of LaTeX (LaTeX and LaTeXTools packages) and of Markdown
    scopes = {s.strip() for s in server["selector"].split("|")}
    assert scopes == {"text.tex.latex", "text.html.markdown"}
    assert_known_settings(server["settings"])


def test_zed_extension_files() -> None:
    extension = tomllib.loads(snippet("Zed (untested)", "toml", 0))
    assert set(extension) <= ZED_EXTENSION_KEYS, set(extension) - ZED_EXTENSION_KEYS
    assert extension["schema_version"] == 1 and extension["id"] == "texgrad"
    server = extension["language_servers"]["texgrad"]
    assert set(server) <= ZED_SERVER_KEYS and server["languages"] == ["LaTeX", "Markdown"]
    cargo = tomllib.loads(snippet("Zed (untested)", "toml", 1))
    assert cargo["lib"]["crate-type"] == ["cdylib"]
    assert set(cargo["dependencies"]) == {"zed_extension_api"}
    rust = snippet("Zed (untested)", "rust")
    assert 'worktree\n            .which("texgrad")' in rust and 'vec!["lsp".into()]' in rust
    assert "zed::register_extension!(Texgrad);" in rust


def test_every_untested_editor_says_so() -> None:
    for heading in ("Helix (untested)", "Sublime Text (untested)", "Zed (untested)"):
        assert "not run" in section(heading), heading


def test_the_install_line_shows_the_current_version() -> None:
    """The README's ``texgrad --version  # texgrad X`` is this package's version (the
    install itself is run by the opt-in test_install_tools.py)."""
    lines = snippet("Installing the server", "sh").splitlines()
    shown = lines[1].partition("#")[2].strip()
    assert lines[1].split("#")[0].split() == ["texgrad", "--version"]
    assert shown == f"texgrad {version('texgrad')}"
