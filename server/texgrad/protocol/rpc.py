"""The JSON-RPC side of the server: what pygls's protocol does, made to answer or ignore
what a client should not send, as LSP says, with one line in the log and no traceback.

- A message whose parameters cannot be read: a request gets an InvalidParams error (pygls
  alone logs a traceback and never answers, and the client waits forever); a notification
  is ignored.
- A message that is not a JSON-RPC 2.0 object (a number, an array, ``{}``): ignored.
- A request whose id is no string or number (``[]``, ``{}``, ``true``): an Invalid Request
  error under the id null, as JSON-RPC 2.0 says (never answered under that id).
- A request before ``initialize``: ServerNotInitialized; a notification then: dropped.
- A request after ``shutdown``: InvalidRequest (pygls drops it silently, and the client
  waits forever); a notification then: dropped; ``exit`` still exits.
- ``didOpen``/``didChange``/``didClose``: handed to texgrad's own documents only.  pygls's
  workspace would keep a second copy of every text (and raise ``KeyError`` for a document
  never opened); texgrad reads only its position encoding.
- A handler failing on purpose (a ``JsonRpcException``, texgrad's RequestFailed): its error
  is answered and logged in one line; a bug keeps its traceback in the log.
"""

from __future__ import annotations

import json
import logging
import types as pytypes
from collections.abc import Generator
from concurrent.futures import Future
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import MsgId
from pygls.protocol.language_server import lsp_method

log = logging.getLogger("texgrad.lsp")

INVALID_REQUEST = -32600
SERVER_NOT_INITIALIZED = -32002
REQUEST_CANCELLED = -32800

# Requests and notifications answered before ``initialize`` (LSP: everything else waits).
_BEFORE_INITIALIZE = frozenset({types.INITIALIZE, types.EXIT})


def _method(message: Any) -> str:
    method = getattr(message, "method", "")
    return method if isinstance(method, str) else ""


def _is_request(message: Any) -> bool:
    return hasattr(message, "id") and hasattr(message, "method")


class TexgradProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_seen = False
        self._early: tuple[Any, dict[str, Any]] | None = None  # (see replay_initialize)

    # -- reading messages ---------------------------------------------------------------

    def structure_message(self, data: dict[str, Any]) -> Any:
        if isinstance(data, dict) and "method" in data and not _valid_id(data.get("id")):
            name = data["method"] if isinstance(data["method"], str) else "?"
            error = types.ResponseError(
                code=INVALID_REQUEST, message=f"texgrad: the id of a {name} request must be a string or a number"
            )  # fmt: skip
            self._answer_error(None, error, name)
            log.warning("answered a %s request with a malformed id %s: Invalid Request", name,
                        _line(Exception(json.dumps(data["id"]))))  # fmt: skip
            return pytypes.SimpleNamespace(jsonrpc="invalid")
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            method = data.get("method") if isinstance(data, dict) else None
            what = method or ("answer" if isinstance(data, dict) and "id" in data else "JSON-RPC")
            if isinstance(data, dict) and "method" in data and "id" in data:
                err = JsonRpcInvalidParams(f"texgrad cannot read the parameters of {method}")
                self._answer_error(data["id"], err.to_response_error(), str(method))
            elif isinstance(data, dict) and "id" in data:  # an answer to the server's request
                self._fail_request(data["id"], exc)
            cause = exc.__cause__ or exc
            log.warning("ignored a malformed %s message: %s", what, _line(cause))
            return pytypes.SimpleNamespace(jsonrpc="invalid")

    def handle_message(self, message: Any) -> None:
        if getattr(message, "jsonrpc", None) != self.VERSION:
            if not (isinstance(message, pytypes.SimpleNamespace) and message.jsonrpc == "invalid"):
                log.warning("ignored a message that is not a JSON-RPC 2.0 object")
            return
        method = _method(message)
        if not self._initialize_seen and method and method not in _BEFORE_INITIALIZE:
            self._refuse(message, method, SERVER_NOT_INITIALIZED,
                         f"texgrad: {method} before initialize",
                         "the server is not initialized yet")  # fmt: skip
            return
        if self._shutdown and method and method != types.EXIT:
            self._refuse(message, method, INVALID_REQUEST,
                         f"texgrad is shutting down: {method} after shutdown",
                         "after shutdown")  # fmt: skip
            return
        if method == types.INITIALIZE:
            self._initialize_seen = True
        super().handle_message(message)

    def _fail_request(self, msg_id: Any, exc: Exception) -> None:
        """The server's request whose answer cannot be read fails now (not at its timeout)."""
        try:
            future = self._request_futures.pop(msg_id, None)
        except TypeError:  # an id that is no key (a list…)
            return
        self._result_types.pop(msg_id, None)
        if future is not None and not future.done():
            future.set_exception(
                JsonRpcException(f"unreadable answer: {_line(exc.__cause__ or exc)}")
            )

    def _refuse(self, message: Any, method: str, code: int, error: str, why: str) -> None:
        """A request is answered with the error ``code``; a notification dropped (logged)."""
        if _is_request(message):
            self._answer_error(message.id, types.ResponseError(code=code, message=error), method)
        else:
            log.info("dropped %s: %s", method, why)

    def _answer_error(self, msg_id: Any, error: types.ResponseError, method: str) -> None:
        if msg_id is None:  # (pygls would leave out the id null: JSON-RPC requires it)
            self._send_data({"jsonrpc": self.VERSION, "id": None,
                             "error": {"code": error.code, "message": error.message}})  # fmt: skip
            return
        try:
            self._send_response(msg_id, error=error)
        except Exception:  # noqa: BLE001 - an id that cannot be answered (an object…)
            log.warning("cannot answer a %s request with id %r", method, msg_id)

    def replay_initialize(self, body: bytes, msg_id: Any, sent: dict[str, Any]) -> None:
        """Handle an ``initialize`` already answered before pygls was loaded
        (:mod:`texgrad.protocol.early_initialize`): what it sets up is set up, and pygls's
        answer is compared with the one sent, not sent again.  Parameters pygls cannot read
        in full are read as a client announcing nothing but the encoding agreed on."""
        self._early = (msg_id, sent)
        data = json.loads(body)
        try:
            message = LanguageServerProtocol.structure_message(self, data)
        except JsonRpcException as exc:
            log.warning("initialize's parameters read in part: %s", _line(exc.__cause__ or exc))
            params = data["params"]
            encoding = sent["capabilities"]["positionEncoding"]
            data["params"] = {
                "processId": None,
                "rootUri": params.get("rootUri"),
                "workspaceFolders": params.get("workspaceFolders"),
                "initializationOptions": params.get("initializationOptions"),
                "capabilities": {"general": {"positionEncodings": [encoding]}},
            }
            message = self.structure_message(data)
        self.handle_message(message)

    # -- answering ----------------------------------------------------------------------

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        early = self._early
        if early is not None and msg_id == early[0]:  # answered before pygls was loaded
            self._early = None
            if error is not None:
                log.error("initialize failed after it was answered: %s", error.message)
                return
            made = json.loads(json.dumps(result, default=self._serialize_message))
            if made != early[1]:
                log.warning(
                    "texgrad's early answer to initialize differs from pygls's: %s",
                    _line(Exception(json.dumps(made))),
                )
            return
        super()._send_response(msg_id, result, error)

    def _send_handler_result(self, future: Future[Any], *, msg_id: MsgId) -> None:
        if not future.cancelled():
            exc = future.exception()
            if isinstance(exc, JsonRpcException):  # a refusal, said on purpose
                self._request_futures.pop(msg_id, None)
                log.info("answered request %s with an error: %s", msg_id, _line(exc))
                self._send_response(msg_id, error=exc.to_response_error())
                return
        super()._send_handler_result(future, msg_id=msg_id)

    # -- shutdown ---------------------------------------------------------------------------

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """pygls's ``shutdown``, cancelling the pending requests over a copy of their table:
        pygls iterates the table itself, and a cancelled future's callback (or an answer
        arriving meanwhile) removes its entry, so shutdown failed with "dictionary changed
        size during iteration" — seen in Neovim 0.11 closing after Show derivation."""
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id  # (this request's own future is not cancelled)
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True

    # -- documents: texgrad's own only ----------------------------------------------------

    def _user(self, method: str, params: Any) -> Generator[Any, Any, None]:
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user(types.TEXT_DOCUMENT_DID_CLOSE, params)


def _valid_id(msg_id: Any) -> bool:
    """Whether a request's id is one JSON-RPC allows: a string or a number (or null, or none:
    a notification).  A list, an object or a boolean is not."""
    if msg_id is None or isinstance(msg_id, str):
        return True
    return isinstance(msg_id, (int, float)) and not isinstance(msg_id, bool)


def _line(exc: BaseException) -> str:
    """An exception in one line (cattrs' validation errors span many)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"
