"""The next page is asked for while the caller stores one, and nothing else changes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from ingest.ahead import fetched_ahead


class Provider:
    """Pages 1..n on request, noting each request; ``fail_at`` raises instead of a page."""

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.n, self.fail_at = n, fail_at
        self.asked: list[int] = []
        self.asked_for = {i: asyncio.Event() for i in range(1, n + 2)}
        self.closed = False
        self.release = asyncio.Event()
        self.release.set()

    async def pages(self) -> AsyncIterator[int]:
        try:
            for i in range(1, self.n + 1):
                self.asked.append(i)
                self.asked_for[i].set()
                await self.release.wait()
                if i == self.fail_at:
                    raise RuntimeError(f"page {i} refused")
                yield i
        finally:
            self.closed = True


async def test_the_next_page_is_asked_for_while_the_caller_stores_one() -> None:
    provider = Provider(3)
    stored = []
    async for page in fetched_ahead(provider.pages()):
        if page < 3:  # storing waits for the next request: without the fetch ahead, forever
            await asyncio.wait_for(provider.asked_for[page + 1].wait(), 5)
        stored.append(page)
    assert stored == [1, 2, 3]
    assert provider.asked == [1, 2, 3]


async def test_a_failed_page_reaches_the_caller_after_the_pages_before_it() -> None:
    provider = Provider(4, fail_at=3)
    stored = []
    with pytest.raises(RuntimeError, match="page 3 refused"):
        async for page in fetched_ahead(provider.pages()):
            stored.append(page)
    assert stored == [1, 2]
    assert provider.asked == [1, 2, 3]  # and not page 4


async def test_a_caller_that_stops_cancels_the_request_in_flight_and_closes_the_pages() -> None:
    provider = Provider(5)
    iterator = fetched_ahead(provider.pages())
    assert await anext(iterator) == 1
    provider.release.clear()  # page 2's answer never comes
    await asyncio.wait_for(provider.asked_for[2].wait(), 5)
    await asyncio.wait_for(iterator.aclose(), 5)
    assert provider.closed
    assert provider.asked == [1, 2]


async def test_a_store_that_fails_leaves_no_request_behind() -> None:
    provider = Provider(5)
    with pytest.raises(ValueError, match="store failed"):
        async with aclosing(fetched_ahead(provider.pages())) as pages:  # as the pollers do
            async for page in pages:
                if page == 2:
                    provider.release.clear()  # page 3's answer will not come
                    await asyncio.wait_for(provider.asked_for[3].wait(), 5)
                    raise ValueError("store failed")
    assert provider.closed  # the request for page 3, in flight, was cancelled
    assert provider.asked == [1, 2, 3]
