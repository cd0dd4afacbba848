"""A client that closes its end while the server writes ends the session quietly."""

from __future__ import annotations

import os
import threading

from texgrad.protocol.server import ClientWriter


def test_a_closed_pipe_stops_the_session_without_raising() -> None:
    read, write = os.pipe()
    stop = threading.Event()
    with os.fdopen(write, "wb") as out:
        writer = ClientWriter(out, stop)
        writer.write(b"Content-Length: 2\r\n\r\n{}")
        assert os.read(read, 100) == b"Content-Length: 2\r\n\r\n{}" and not stop.is_set()
        os.close(read)
        writer.write(b"Content-Length: 2\r\n\r\n{}")  # the client is gone: no exception
        assert stop.is_set()
        writer.write(b"more")  # and nothing more is tried
        try:
            out.close()
        except BrokenPipeError:
            pass  # (the buffered bytes of the failed write, dropped on close)
