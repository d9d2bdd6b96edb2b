"""A provider's next page asked for while the page before it is stored.

A poll waits on two things in turn: the provider's answer to a page, then PostgreSQL's
commit of that page (its call and body, its events, its cursor). Page after page, each wait
left the other side idle. :func:`fetched_ahead` asks for page *n + 1* as soon as page *n* is
handed to the caller, so the provider's answer and the store overlap.

What stays as it was: requests go one at a time and in order (the next is asked once the
previous one answered, from the same iterator), so rate limits, retries, tokens and the
paging see the same sequence; a page is stored only after every page before it; an error
fetching a page reaches the caller where it asks for that page, after the pages before it
are stored. What changes: when storing a page fails, the page after it may already have been
asked for; like any page whose store rolled back, it is in no ``provider_fetches`` row, and
the next poll asks for it again. On exit the request in flight is cancelled and the iterator
closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeVar

T = TypeVar("T")


async def fetched_ahead(pages: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """``pages``, each next one fetched while the caller handles the one it was given."""
    ahead: asyncio.Future[T] = asyncio.ensure_future(anext(pages))
    try:
        while True:
            try:
                page = await ahead
            except StopAsyncIteration:
                return
            ahead = asyncio.ensure_future(anext(pages))
            yield page
    finally:
        await _drop(ahead, pages)


async def _drop(ahead: asyncio.Future[T], pages: AsyncIterator[T]) -> None:
    """Cancel the request in flight (its outcome no longer matters) and close ``pages``."""
    if not ahead.done():
        ahead.cancel()
        await asyncio.wait([ahead])  # raises only if this task itself is cancelled
    if not ahead.cancelled():
        ahead.exception()  # retrieved: a failed request nobody waits for is not an error
    if isinstance(pages, AsyncGenerator):
        await pages.aclose()
