"""The last few costly answers of the simulator, kept so that paging through one is cheap.

A client pages through one query with offset/limit or a cursor: getFleetOrders asks for a
month of orders 1,000 at a time, Uber payments 50 earners at a time. Every page is a slice
of the same sorted list, so the list is computed on the first page and kept here; without
it each page would walk every driver's whole window again (quadratic in the fleet's size).

Keys name the query and its arguments; ``SimState.remembered`` adds the moment (the clock's
second and both rosters' versions), so an answer is never served once time has moved on or
the drivers have changed. Callers must not change what they get: it is shared.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

T = TypeVar("T")


class Memo:
    """At most ``size`` values by key; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under ``key``, else ``compute()`` (then kept).

        A key must always be given the same kind of ``compute``: its first item names the
        query, which is what makes the cast below safe.
        """
        if key in self._kept:
            self._kept.move_to_end(key)
            return cast(T, self._kept[key])
        value = compute()
        self._kept[key] = value
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every value."""
        self._kept.clear()
