"""Building the bulk path's copies (replay.py's ``build``) in worker processes while one process writes them."""

from __future__ import annotations

from typing import Any

from .bulk_write import TABLES

_TEMPLATES: list[Any] = []
_BUILD: Any = None
CHUNK = 250  # copies per task handed to a worker: large enough that pickling the orders and rows stays cheap


def _remember(templates: list[Any], build) -> None:
    global _TEMPLATES, _BUILD
    _TEMPLATES, _BUILD = templates, build


def _build_chunk(orders: list[Any]) -> dict[Any, list[list[Any]]]:
    return _build_inline(_TEMPLATES, _BUILD, orders)


class Builders:
    """Builds copies' rows in this process (workers=0) or in a pool of worker processes, one round behind.

    With workers, submit() hands a round of orders to the pool and returns what the previous round
    built, so that the workers build round k+1 while this process writes round k (SQLite has one
    writer; building is the larger share of a copy's CPU: swapping tokens, hashing, compressing).
    """

    def __init__(self, templates: list[Any], workers: int, build):
        self.templates, self.build = templates, build
        self.pool = None
        self.inflight: Any = iter(())
        if workers > 0:
            import multiprocessing

            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            ctx = multiprocessing.get_context(method)
            self.pool = ctx.Pool(workers, initializer=_remember, initargs=(templates, build))

    def submit(self, orders: list[Any]):
        if self.pool is None:
            return [_build_inline(self.templates, self.build, orders)] if orders else []
        previous = self.inflight
        chunks = [orders[i : i + CHUNK] for i in range(0, len(orders), CHUNK)]
        self.inflight = self.pool.imap(_build_chunk, chunks)  # starts now; read by the next submit or drain
        return previous

    def drain(self):
        previous, self.inflight = self.inflight, iter(())
        return previous

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None


def _build_inline(templates: list[Any], build, orders: list[Any]) -> dict[Any, list[list[Any]]]:
    out: dict[Any, list[list[Any]]] = {m: [] for m in TABLES}
    for o in orders:
        build(templates[o.template], o, out)
    return out
