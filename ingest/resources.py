"""The declared resources (``contracts/resources.py``) bound to this process's pollers.

A provider's pollers object has one coroutine method per declared resource, named after it
(``UberPollers.daily_metrics``): the declaration names the resource once, and the poll is
found by that name. ``tests/ingest/test_resource_bindings.py`` checks that every declared
resource has its method and every method is declared.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from contracts.resources import ResourceDeclaration
from core.config import env_int
from ingest.schedule import Poll

log = logging.getLogger(__name__)


def poll_jobs(pollers: object, resources: Iterable[ResourceDeclaration]) -> dict[str, Poll]:
    """One poll per resource, by name: the pollers' method of the same name."""
    jobs: dict[str, Poll] = {}
    for resource in resources:
        jobs[resource.name] = getattr(pollers, resource.name)
    return jobs


def interval_s(resource: ResourceDeclaration, env: Mapping[str, str]) -> int:
    """Seconds between two scheduled polls: ``<PROVIDER>_<RESOURCE>_INTERVAL_S``, else the
    resource's deprecated setting (with a warning: it is read once, at start), else the
    declared default."""
    new, old = resource.interval_env, resource.deprecated_interval_env
    if old is not None and env.get(old):
        if env.get(new):
            log.warning("%s is ignored: %s is set (and replaces it)", old, new)
        else:
            log.warning("%s is deprecated: rename it %s", old, new)
            return env_int(env, old, resource.interval_s)
    return env_int(env, new, resource.interval_s)
