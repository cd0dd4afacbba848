"""Reading the client's byte stream: LSP's base protocol (``Content-Length`` headers, a
JSON body), bounded, in place of pygls's reader (``pygls.io_.run_async``), which reads a
header line of any length and then exactly as many bytes as a header says — so a
``Content-Length`` of 10¹² made it ask for that much memory and stop the server, and a
length larger than what follows swallowed the messages after it.

Here a header block is at most :data:`MAX_HEADER` bytes and a body at most
:data:`MAX_BODY`: beyond either, an error is logged and the stream is read again from
the next ``Content-Length``.  A body shorter than its length says (the next message's
header right after a complete JSON value) is read as what it is, logged; one that is not
JSON is logged and skipped.  Each problem is one line in the log; the server keeps
serving what can be read.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

# (asyncio is imported where the server reads: `texgrad lsp` answers initialize and analyses
# the first document before asyncio, ssl and socket are loaded, ~20 ms of CPU)

log = logging.getLogger("texgrad.lsp")

MAX_BODY = 64 * 1024 * 1024  # bytes of one message (a 20 MB document in JSON fits)
MAX_HEADER = 64 * 1024  # bytes of one message's headers
CHUNK = 64 * 1024
_LENGTH = b"Content-Length:"
_END = b"\r\n\r\n"


class Framer:
    """Cuts a byte stream into message bodies: :meth:`feed` it what arrives."""

    def __init__(self, max_body: int = MAX_BODY, max_header: int = MAX_HEADER) -> None:
        self.max_body = max_body
        self.max_header = max_header
        self._buf = bytearray()
        self._length: int | None = None  # of the body being read (after its headers)
        self._scanned = 0  # bytes of that body searched for the next header
        self._skipping = False  # after a problem: skip to the next Content-Length

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        while True:
            if self._skipping and not self._resync():
                return out
            if self._length is None and not self._header():
                return out
            if self._length is not None:
                body = self._body()
                if body is None:
                    return out
                out.append(body)

    def idle(self) -> bool:
        """Whether nothing is held: the next byte fed starts a message."""
        return not self._buf and self._length is None and not self._skipping

    def _resync(self) -> bool:
        """Drop bytes up to the next ``Content-Length`` (False: none arrived yet)."""
        at = self._buf.find(_LENGTH, 1)
        if at < 0:
            del self._buf[: max(0, len(self._buf) - len(_LENGTH))]
            return False
        del self._buf[:at]
        self._skipping = False
        return True

    def _header(self) -> bool:
        """Read one header block (False: it has not all arrived)."""
        end = self._buf.find(_END, 0, self.max_header + len(_END))
        if end < 0:
            if len(self._buf) > self.max_header:
                log.error(
                    "texgrad: a message header longer than %d bytes: skipped", self.max_header
                )
                self._skip()
            return False
        block = bytes(self._buf[:end])
        del self._buf[: end + len(_END)]
        if not block.strip():
            return True  # blank lines between messages
        at = block.rfind(_LENGTH)
        value = block[at + len(_LENGTH) :].split(b"\r\n", 1)[0].strip() if at >= 0 else b""
        if not value.isdigit() or len(value) > 18:
            shown = value[:40].decode("ascii", "replace") or "none"
            log.error(
                "texgrad: a message header without a valid Content-Length (%s): skipped", shown
            )
            self._skipping = True
            return True
        length = int(value)
        if length > self.max_body:
            log.error(
                "texgrad: a message of Content-Length %d (more than %s): skipped",
                length,
                f"{self.max_body // 2**20} MB"
                if self.max_body >= 2**20
                else f"{self.max_body} bytes",
            )
            self._skip()
            return True
        self._length, self._scanned = length, 0
        return True

    def _skip(self) -> None:
        self._length = None
        self._skipping = True

    def _body(self) -> bytes | None:
        """The body being read, once it has arrived (or once what has arrived is a whole
        JSON value followed by the next message's header: its length was wrong)."""
        assert self._length is not None
        length = self._length
        if len(self._buf) >= length:
            body = bytes(self._buf[:length])
            del self._buf[:length]
            self._length = None
            return body
        at = self._buf.find(_LENGTH, max(0, self._scanned - len(_LENGTH)))
        while at >= 0:
            candidate = bytes(self._buf[:at])
            if candidate.rstrip().endswith(b"}") and _is_json(candidate):
                log.error(
                    "texgrad: a message of Content-Length %d ended after %d bytes: read as such",
                    length,
                    len(candidate),
                )
                del self._buf[:at]
                self._length = None
                return candidate
            at = self._buf.find(_LENGTH, at + 1)
        self._scanned = len(self._buf)
        return None


@dataclass
class EarlyStart:
    """What was read before the server was loaded (:mod:`texgrad.protocol.early_initialize`),
    for it to handle in order."""

    framer: Framer
    bodies: list[bytes] = field(default_factory=list)
    answered: tuple[Any, dict[str, Any]] | None = None  # (initialize's id, the result sent)
    ended: bool = False  # the stream ended before a message
    # what the server reads the rest of the stream from, when not stdin itself (a reader
    # that went on while the server loaded: protocol/early_diagnostics.py's Pump)
    stream: Any = None
    # the workspace the first opened document was analysed in before the server loaded
    # (protocol/early_analysis.py), for the server to go on with
    workspace: Any = None
    said: list[str] = field(default_factory=list)  # what happened then, logged once loaded


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


def dispatch(protocol: Any, body: bytes) -> None:
    """Hand one body to the protocol: JSON that cannot be read is logged in one line."""
    try:
        message = json.loads(body, object_hook=protocol.structure_message)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested too deep
        kind = "nested too deeply" if isinstance(exc, RecursionError) else "not JSON"
        log.error("texgrad: ignored a message of %d bytes that is %s: %s", len(body), kind, exc)
        return
    try:
        protocol.handle_message(message)
    except Exception:  # a bug: logged with its traceback, and the server keeps serving
        log.exception("texgrad: handling a message failed")


async def serve(
    read: Callable[[], Awaitable[bytes]],
    protocol: Any,
    stop: threading.Event,
    early: EarlyStart | None = None,
) -> None:
    """Read messages with ``read`` (some bytes; none at the end of the stream) and hand
    them to ``protocol`` until the stream ends or ``stop`` is set.  ``early``: the messages
    read before (its ``initialize`` perhaps answered), handled first, and its framer read on."""
    import asyncio

    framer = Framer()
    if early is not None:
        framer = early.framer
        for i, body in enumerate(early.bodies):
            if i == 0 and early.answered is not None:
                try:
                    protocol.replay_initialize(body, *early.answered)
                except Exception:  # a bug: logged with its traceback, and the server serves
                    log.exception("texgrad: handling initialize failed")
            else:
                dispatch(protocol, body)
            await asyncio.sleep(0)
    while not stop.is_set():
        data = await read()
        if not data:
            break
        for body in framer.feed(data):
            dispatch(protocol, body)
            await asyncio.sleep(0)  # let what a message started run before the next


def stdin_reader(stream: Any, executor: Any) -> Callable[[], Awaitable[bytes]]:
    """``read`` for a binary stream read in ``executor`` (stdin: no asyncio pipe)."""
    import asyncio

    read1 = getattr(stream, "read1", None) or stream.read

    def read() -> Awaitable[bytes]:
        return asyncio.get_running_loop().run_in_executor(executor, read1, CHUNK)

    return read
