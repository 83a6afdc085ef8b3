"""Building the bulk path's copies (replay.py's ``build``) in worker processes, which also write them.

Each worker has its own bulk writer (bulk_write.py) on its own connection and writes the rows of the
chunk it built in one transaction: no rows pass between processes (pickling a copy's rows there and
back cost 0.34 ms, half as much as building them), and the process that decides the copies is not
the one writer every copy waits for. On SQLite the workers take the write lock in turn (a chunk's
write is a small part of its build); on PostgreSQL their COPYs run side by side.
"""

from __future__ import annotations

from typing import Any

from .bulk_write import TABLES

_TEMPLATES: list[Any] = []
_BUILD: Any = None
_WRITER: Any = None  # this worker's bulk writer
COLLECT_PER_CHUNK = True  # the collector off in the workers, run once per chunk (False: on, as before; bench)
CHUNK = 250  # copies per task handed to a worker: large enough that pickling the orders and rows stays cheap


def _start_worker(templates: list[Any], build, url: str) -> None:
    global _TEMPLATES, _BUILD, _WRITER
    import gc

    from ..db import Database
    from .bulk_write import BulkWriter

    _TEMPLATES, _BUILD = templates, build
    # A new engine: the parent's pooled connections are not this process's to use.
    _WRITER = BulkWriter(Database(url, pool_size=1), drop_indexes=False).__enter__()
    # A chunk makes about 12,000 row lists that hold no cycle: the collector's passes over them (and over the
    # templates, frozen here) cost more than building them; it runs once per chunk instead (_build_and_write).
    if COLLECT_PER_CHUNK:
        gc.freeze()
        gc.disable()


def _build_and_write(orders: list[Any]) -> dict[Any, list[list[Any]]]:
    import gc

    _WRITER.write(_build_inline(_TEMPLATES, _BUILD, orders))
    _WRITER.commit()
    if COLLECT_PER_CHUNK:
        gc.collect()
    return {}  # written: nothing for the parent to write


class Builders:
    """Builds copies' rows in this process (workers=0; submit returns them to write) or in worker processes.

    With workers, submit() hands a round of orders to the pool, which builds and writes them while
    this process decides the next round; what it returns (the previous round's, waited for) is empty.
    """

    def __init__(self, templates: list[Any], workers: int, build, url: str = ""):
        self.templates, self.build, self.workers, self.url = templates, build, workers, url
        self.pool: Any = None
        self.inflight: Any = iter(())

    def start(self) -> None:
        """Start the workers: call it while this process holds no transaction (SQLite's locks are per process,
        and a worker forked during a write transaction would inherit the note that its process holds the lock)."""
        if self.workers > 0 and self.pool is None:
            import multiprocessing

            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            ctx = multiprocessing.get_context(method)
            self.pool = ctx.Pool(
                self.workers, initializer=_start_worker, initargs=(self.templates, self.build, self.url)
            )

    def submit(self, orders: list[Any]):
        if self.workers == 0:
            return [_build_inline(self.templates, self.build, orders)] if orders else []
        previous = self.inflight
        chunks = [orders[i : i + CHUNK] for i in range(0, len(orders), CHUNK)]
        self.inflight = self.pool.imap_unordered(
            _build_and_write, chunks
        )  # starts now; read by the next submit or drain
        return previous

    def drain(self):
        previous, self.inflight = self.inflight, iter(())
        return previous

    def close(self) -> None:
        """Wait for the workers to finish (their last transactions are committed) and stop them."""
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None


def _build_inline(templates: list[Any], build, orders: list[Any]) -> dict[Any, list[list[Any]]]:
    out: dict[Any, list[list[Any]]] = {m: [] for m in TABLES}
    for o in orders:
        build(templates[o.template], o, out)
    return out
