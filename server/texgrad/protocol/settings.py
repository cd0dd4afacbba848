"""Initialization, settings (``texgrad.*`` from initialization options and
``workspace/configuration``) and workspace folders."""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from texgrad.protocol.paths import folder_path
from texgrad.protocol.server import TexgradServer

log = logging.getLogger("texgrad.lsp")


def _section(options: Any) -> dict[str, Any]:
    """Settings as clients send them: ``{"texgrad": {...}}`` or the section itself."""
    if not isinstance(options, dict):
        return {}
    inner = options.get("texgrad")
    return inner if isinstance(inner, dict) else options


def note_configuration(ls: TexgradServer) -> None:
    """Say for the next session started alike whether the settings the client configured
    are those ``initialize`` gave: only then does it analyse the first document opened
    before the server loads (:mod:`texgrad.protocol.early_analysis`)."""
    from texgrad.protocol import early_diagnostics as ed

    session = ed.session()
    if session is None:
        return
    try:
        session.cache.note_configuration(session.start, ls.ws.settings == session.settings)
    except Exception:  # only a head start for the next session
        log.exception("noting the configuration for the next session failed")


# The files a document's analysis may read: LaTeX (its \\input files, macros and packages)
# and Markdown (a book's chapters).
WATCHED = "**/*.{tex,ltx,sty,cls,md,markdown,qmd,Rmd,rmd}"


async def _watch_files(ls: TexgradServer) -> None:
    """Ask the client to say when such files change on disk, where it takes watchers
    (VS Code, eglot): a macros file edited in another program is then read again."""
    if not ls.client.watches_files:
        return
    watchers = [types.FileSystemWatcher(glob_pattern=WATCHED)]
    registration = types.Registration(
        id="texgrad-watched-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception as exc:  # noqa: BLE001 - refused: files changed on disk are read at a save
        log.info("the client did not take the file watchers: %s", exc)


def register(server: TexgradServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: TexgradServer, params: types.InitializeParams) -> None:
        folders = [f.uri for f in params.workspace_folders or []]
        if not folders and params.root_uri:
            folders = [params.root_uri]
        ls.ws.folders = [p for p in map(folder_path, folders) if p]
        ls.init_settings = _section(params.initialization_options)
        ls.ws.configure(ls.init_settings)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: TexgradServer, params: types.InitializedParams) -> None:
        encoding = ls.workspace.position_encoding
        ls.log_client(f"texgrad {ls.version} started ({getattr(encoding, 'value', encoding)})")
        ls.initialized()  # (the code actions warm the engine up)
        await ls.pull_configuration()
        note_configuration(ls)
        await _watch_files(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: TexgradServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("texgrad"), dict):
            await ls.configure(settings["texgrad"])
        else:
            await ls.pull_configuration()
        note_configuration(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(
        ls: TexgradServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        removed = {folder_path(f.uri) for f in params.event.removed}
        added = [p for p in (folder_path(f.uri) for f in params.event.added) if p]
        ls.ws.folders = [f for f in ls.ws.folders if f not in removed] + added

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: TexgradServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.open(params.text_document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: TexgradServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.change(params)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: TexgradServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: TexgradServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        ls.files_changed([change.uri for change in params.changes])

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: TexgradServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.saved(params.text_document.uri)
