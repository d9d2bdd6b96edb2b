"""An Uber org our credentials do not cover: a refusal of the request, not of the credentials.

Uber answers a call about an org the app is not registered to with ``400 "Invalid
Organization Id"``, and some integrations document ``403`` for the same case
(docs/PROVIDERS.md §1.3, §1.7). A 403 would otherwise read as :class:`ProviderAuthError`, and the
run would count as "the provider refused our credentials", paging whoever watches the
credentials alert for one unbound org while every other org polls fine. So on an org-scoped
call a 403 is raised as :class:`UberOrgNotCovered`, a :class:`ProviderRejected` like the 400.
The token endpoint's own refusals never reach here (they fail before the call).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from ingest.errors import ProviderAuthError, ProviderRejected

T = TypeVar("T")


class UberOrgNotCovered(ProviderRejected):
    """403 on a call about one org: the credentials do not reach that org."""


async def org_scoped(call: Awaitable[T]) -> T:
    """Await an org-scoped call, raising a 403 as :class:`UberOrgNotCovered`."""
    try:
        return await call
    except ProviderAuthError as exc:
        if exc.status != 403:
            raise
        raise UberOrgNotCovered(exc.provider, f"{exc} (org not covered)", 403) from exc
