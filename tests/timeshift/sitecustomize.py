"""Puts a subprocess of the test suite on the suite's clock (see tests/timetravel.py).

This directory is on PYTHONPATH only for subprocesses that tests start; LIBSPACE_TEST_CLOCK_SHIFT is the
shift in seconds between the suite's clock and the real one. Production never sees either.
"""

import os

_shift = os.environ.get("LIBSPACE_TEST_CLOCK_SHIFT", "")
if _shift:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_shift), tick=True).start()
    time.time()  # anchors the ticking clock now, not at its first use
