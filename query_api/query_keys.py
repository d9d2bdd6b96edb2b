"""Unknown query parameters are a 400 problem that names them.

Ignoring them looked harmless, but a client that pages with ``?offset=50`` (we page by
cursor) got the first page again and again: it looped forever without ever seeing an
error. So every route of the OpenAPI document answers 400 for a query key it does not
declare. Routes hidden from the document (the dashboard's client-side routes, ``/metrics``)
are not checked: the spec says nothing about them.

The declared keys are read from the route's own dependency tree (its parameters, its
router's dependencies and theirs, by alias), so a route added later gets the check without
work. Dependencies given to ``include_router`` itself are not in that tree: declare them on
the ``APIRouter``, as every router here does.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from query_api.problems import ApiProblem

# Kept on the route itself, computed at its first request: a route compares equal to
# another with the same path and endpoint, so it cannot key a dict, and an id() can be
# reused once an app (and its routes) is gone.
_DECLARED = "_fleet_query_keys"


def declared_query_keys(route: APIRoute) -> frozenset[str]:
    """The query parameter names ``route`` reads, its dependencies' included."""
    known: frozenset[str] | None = getattr(route, _DECLARED, None)
    if known is None:
        known = frozenset(_query_names(route.dependant))
        setattr(route, _DECLARED, known)
    return known


def _query_names(dependant: Dependant) -> list[str]:
    """The aliases of the query fields of ``dependant``'s tree; a query model gives its fields."""
    names: list[str] = []
    for field in dependant.query_params:
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            names.extend(f.alias or name for name, f in model.model_fields.items())
        else:
            names.append(field.alias)
    for sub in dependant.dependencies:
        names.extend(_query_names(sub))
    return names


async def known_query_only(request: Request) -> None:
    """Refuse a request whose query string has keys its route does not declare (400)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return
    unknown = set(request.query_params) - declared_query_keys(route)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ApiProblem(400, "Bad Request", f"unknown query parameters: {names}")
