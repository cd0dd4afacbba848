"""The server's bounded reader of LSP's base protocol, on plain bytes."""

from __future__ import annotations

import json

import pytest

from texgrad.protocol.framing import Framer


def _msg(obj: object, length: int | None = None) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


A = {"jsonrpc": "2.0", "id": 1, "method": "a", "params": {"text": "Content-Length: 3\r\n\r\n}"}}
B = {"jsonrpc": "2.0", "method": "b", "params": None}


def _bodies(stream: bytes, step: int) -> list[object]:
    framer = Framer(max_body=1000, max_header=100)
    out: list[bytes] = []
    for i in range(0, len(stream), step):
        out.extend(framer.feed(stream[i : i + step]))
    return [_json(b) for b in out]


def _json(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return "not JSON"


@pytest.mark.parametrize("step", [1, 7, 10_000])
def test_messages_in_any_chunks(step: int) -> None:
    stream = _msg(A) + b"\r\n" + _msg(B) + b"Content-Type: x\r\n" + _msg(A)[:0] + _msg(B)
    assert _bodies(stream, step) == [A, B, B]


@pytest.mark.parametrize("step", [1, 13, 10_000])
def test_bad_lengths_skip_to_the_next_message(step: int) -> None:
    stream = (
        b"Content-Length: 99999999999999999999999\r\n\r\n{}"  # absurd
        + _msg(A)
        + b"Content-Length: 2000\r\n\r\n" + b"x" * 50  # over the bound (1000 here)
        + _msg(B)
        + _msg(A, length=900)  # longer than what follows: read as the JSON it is
        + _msg(B)
        + b"Content-Length: -4\r\n\r\n"  # not a length
        + b"X-Junk: " + b"j" * 300 + b"\r\n\r\n"  # a header over the bound (100 here)
        + _msg(A)
        + _msg(B, length=10)  # shorter than its body: skipped (not JSON), and its rest
        + _msg(A)
    )  # fmt: skip
    bodies = _bodies(stream, step)
    # (the truncated body is handed on: the dispatcher logs it as not JSON)
    assert bodies == [A, B, A, B, A, "not JSON", A]


def test_a_length_larger_than_what_follows_inside_a_string_is_not_cut() -> None:
    # "Content-Length:" inside the document's text, the body still arriving: not a header
    text = {"jsonrpc": "2.0", "method": "c", "params": {"t": "}Content-Length: 2\r\n\r\n{}"}}
    full = _msg(text)
    framer = Framer()
    cut = full.index(b"}Content-Length") + 1
    assert framer.feed(full[: cut + 3]) == []
    assert [json.loads(b) for b in framer.feed(full[cut + 3 :])] == [text]
