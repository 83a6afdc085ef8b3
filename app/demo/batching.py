"""The demo generator's database: the services' transactions batched into one (see history.py)."""

from __future__ import annotations

import contextlib

from ..plain_sql import Plain


class BatchDatabase:
    """The services' transactions as savepoints of one outer transaction, committed on demand."""

    def __init__(self, inner):
        self.inner = inner
        self._session = None

    def __getattr__(self, name):  # url, engine, is_sqlite...
        return getattr(self.inner, name)

    def session(self):
        if self._session is None:
            self._session = self.inner._writer()
        return self._session

    @contextlib.contextmanager
    def read(self):
        yield self.session()

    @contextlib.contextmanager
    def plain(self):
        yield Plain.of(self.session())  # the hot paths' plain SQL sees the batch's uncommitted rows

    @contextlib.contextmanager
    def write(self):
        # No savepoint: nothing is expected to fail (one writer, no conflicts); if something does,
        # the whole batch rolls back and the error stops the run.
        s = self.session()
        try:
            yield s
            s.flush()
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
            self._session.close()
            self._session = None

    def commit(self) -> None:
        if self._session is not None:
            self._session.commit()
            self._session.close()
            self._session = None
