"""``shutdown`` with requests still pending whose cancellation removes them from pygls's
table of futures (a pending thread-pool handler's callback runs at once): it answers, and
every other pending request is cancelled — pygls's own handler failed here with
"dictionary changed size during iteration" (Neovim 0.11 after Show derivation)."""

from __future__ import annotations

from concurrent.futures import Future

from texgrad.protocol.server import TexgradServer


def test_shutdown_cancels_requests_whose_callbacks_leave_the_table(
    server: TexgradServer,
) -> None:
    protocol = server.protocol
    table = protocol._request_futures
    pending: list[Future[object]] = []
    for msg_id in ("a", "b", "c"):
        fut: Future[object] = Future()
        fut.add_done_callback(lambda _f, i=msg_id: table.pop(i, None))  # (as pygls's own)
        table[msg_id] = fut
        pending.append(fut)
    gen = protocol.lsp_shutdown()
    try:
        while True:
            next(gen)
    except StopIteration:
        pass
    assert all(f.cancelled() for f in pending)
    assert table == {} and protocol._shutdown
