"""The API process's start-up objects are kept out of the cycle collector's passes."""

from __future__ import annotations

import gc

from core.heap import freeze_startup_heap


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_freezing_exempts_live_objects_and_frees_the_garbage_left_before_it() -> None:
    gc.unfreeze()
    kept = _Cycle()
    garbage = _Cycle()
    collected_before = gc.get_stats()[2]["collected"]
    del garbage
    try:
        freeze_startup_heap()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert gc.get_stats()[2]["collected"] > collected_before  # the dead cycle went first
        assert gc.is_tracked(kept)
        gc.collect()
        assert gc.get_freeze_count() == frozen  # a full pass leaves the frozen alone
    finally:
        gc.unfreeze()
