# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Python's garbage collector and a loaded registry.

A full collection of Python's garbage collector walks every container
object of the process. With a loaded registry (its models, fields, views
and caches: over 200,000 objects) one full collection stops every thread of
the server for 100-130 ms, and in a threaded server it lands on whatever
requests run at that moment: in the claims benchmark (20 salespeople
claiming at once, ``tests/bench/bench_claims.py``) one such pause came in
each three-second race, and the claims it met were the race's slowest.

The objects of a loaded registry live as long as it does. Once it is
loaded they are moved to the collector's permanent generation
(``gc.freeze()``, what Python's documentation advises for servers), so
that a full collection only walks what requests create. The previous
freeze is undone and a collection run first: a registry loaded again
(after an install, or a change of its fields) frees its predecessor.

The option ``routing_gc_freeze = False`` in the Odoo configuration file
turns this off.
"""

import gc
import logging
import time

from odoo.tools import config

_logger = logging.getLogger(__name__)

OPTION = "routing_gc_freeze"


def enabled():
    """Whether the configuration allows the freeze (on by default)."""
    value = config.get(OPTION, True)
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def freeze_loaded_objects():
    """Collect what is garbage, then move every object the process holds
    to the collector's permanent generation.

    :return: the number of objects frozen (0 when turned off)
    """
    if not enabled():
        return 0
    start = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    count = gc.get_freeze_count()
    _logger.debug(
        "registry loaded: %s objects frozen for the garbage collector in %.0f ms",
        count,
        (time.perf_counter() - start) * 1000,
    )
    return count
