"""How long a sign-in try must wait after failures: free tries first, then delays that double.

A delay, never a lock: whoever waits it out may try again, and the password is checked then.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta


def delay_after(failures: int, free: int, cap_seconds: int) -> int:
    """Seconds between the last failure and the next try: 0 for the first ``free`` failures, then 1, 2, 4... up to the cap.

    >>> [delay_after(n, 3, 10) for n in range(8)]
    [0, 0, 0, 1, 2, 4, 8, 10]
    """
    if failures < free:
        return 0
    return min(cap_seconds, 2 ** min(failures - free, 30))


def seconds_left(failures: int, free: int, cap_seconds: int, last_failure: datetime | None, now: datetime) -> int:
    """Whole seconds still to wait (0: the try may go ahead)."""
    if last_failure is None:
        return 0
    left = (last_failure + timedelta(seconds=delay_after(failures, free, cap_seconds)) - now).total_seconds()
    return max(0, math.ceil(left))
