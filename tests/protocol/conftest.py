"""The server driven without a client: ``server`` publishes into ``server.published``
(the last diagnostics by URI) instead of a client (a test file may define its own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lsprotocol import types

from texgrad.protocol.app import create_server
from texgrad.protocol.server import TexgradServer


@pytest.fixture
def server() -> Iterator[TexgradServer]:
    ls = create_server()
    ls.debounce = 0.01
    published: dict[str, list[types.Diagnostic]] = {}

    def publish(params: types.PublishDiagnosticsParams) -> None:
        published[params.uri] = list(params.diagnostics)

    ls.text_document_publish_diagnostics = publish  # type: ignore[method-assign]
    ls.published = published  # type: ignore[attr-defined]
    yield ls
    ls.diff_pool.shutdown(wait=True)
    ls.analysis_pool.shutdown(wait=True)
