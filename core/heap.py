"""Keeping the cycle collector's pauses out of request latencies.

A long-running process builds most of its objects once, at start: modules, the app and its
routes, validation models, pools. Python's cycle collector scans every tracked object on
each of its oldest-generation passes, so under load those passes, a few hundred thousand
startup objects each, stopped the event loop long enough to show in the API's p99: at 64
connections on the metrics route the p99 was 5× its median. ``gc.freeze()`` moves every
object alive at that moment to a permanent generation the collector no longer scans; what
requests allocate is collected as before. Call it once start-up is done (docs/SCALING.md,
"API").
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Exempt every object alive now from the cycle collector's passes."""
    gc.collect()  # what start-up left as garbage is freed, not kept forever
    gc.freeze()
