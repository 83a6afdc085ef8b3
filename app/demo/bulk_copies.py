"""generate-demo's bulk path: copies of finished complaints at the arrivals a history still needs (replay.py)."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, select

from ..domain.clock import OPERATOR_ZONE
from ..models import Complaint
from .bulk_write import BulkWriter
from .replay import Replayer, load_templates

MICROSECOND = timedelta(microseconds=1)
DAY = 86_400_000_000  # microseconds


def replay(gen, until: datetime, n: int, progress: Callable[[int], None] | None = None, workers: int = 0) -> None:
    """n copies of the generator's finished complaints at arrivals before until, whole days apart.

    workers > 0 builds the copies' rows in that many worker processes while this one writes them.
    """
    db = gen.rt.db
    with db.read() as s:
        templates = [t for t in load_templates(s, gen.stats.finished_ids) if t.last < until]
        existing = s.scalar(select(func.count()).select_from(Complaint)) or 0
    if not templates:
        return
    replayer = Replayer(db.session(), gen.random, templates, workers)
    db.commit()  # the writer below and the workers have their own connections and transactions
    db.inner.engine.dispose()  # and no connection of this process is open while the workers are forked
    replayer.builders.start()
    # Per template, once: its arrival's local day and how far its last instant may move (in microseconds).
    fits = [
        (t, t.arrival.astimezone(OPERATOR_ZONE).date().toordinal(), (until - t.last) // MICROSECOND) for t in templates
    ]
    choice, tries = gen.random.choice, min(len(templates), 20)
    round_ = gen.batch * 50 if workers else gen.batch  # with workers, rounds long enough to keep them busy
    done = 0
    # Indexes dropped and made again only when the load at least doubles the tables: making them again costs
    # a sort of every row, more than the inserts into them save on a small addition to a large history.
    with BulkWriter(db.inner, drop_indexes=n >= existing) as writer:
        for _ in range(5):  # a pass leaves out arrivals no template fits; the next pass makes up for them
            gen.recent = deque()  # the copies' own repeat customers, in their own time order
            for plan in gen.arrivals(n - done, gen.start, until):
                local = plan.arrival.astimezone(OPERATOR_ZONE).date().toordinal()
                for _ in range(tries):  # random templates, one at a time: the first one tried fits but near the end
                    t, day, room = choice(fits)
                    days = local - day
                    if days * DAY < room:  # its last instant moved by days falls before until
                        break
                else:
                    continue  # every template tried would still be running at the end
                gen._repeat(plan)
                replayer.copy(t, days, plan.name, plan.phone)
                done += 1
                if done % round_ == 0:
                    replayer.flush(writer)
                if progress is not None:
                    progress(1)
            if done == n:
                break
        replayer.finish(writer)
    gen.stats.index_seconds, gen.stats.analyse_seconds = writer.index_seconds, writer.analyse_seconds
    replayer.record(db.session())
    db.commit()
    gen.stats.replayed = done
    gen.stats.copied = replayer.copied
