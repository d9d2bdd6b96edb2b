"""Routes whose dependencies are resolved by a plan built once, not by FastAPI per request.

FastAPI resolves a route's dependency tree anew on every request: for each dependency and
each parameter it asks again whether the annotation is a sequence, a model, JSON, whether
the dependency is a generator, uses security scopes… (``solve_dependencies``). On a light
read that was half of the request's CPU, where our own dependency functions took under 5 %
(docs/SCALING.md, "API"). :class:`DirectRoute` answers those questions once, when the route
is built, and keeps a plan: which dependencies to call in which order, which query and path
parameters to read under which key, and which pydantic field validates each.

The plan covers what the busy read routes use: ``async def`` dependencies and endpoints,
query and path parameters, the ``Request``; a route using anything else (a body, headers,
cookies, ``yield`` or sync dependencies, security scopes, a response model) keeps FastAPI's
handler. At run time the plan is tried first, and FastAPI's own handler answers instead
whenever a parameter is missing or invalid, or dependency overrides are set: validation
errors therefore come from FastAPI itself, and the application/problem+json they become is
unchanged. The plan stops at the first invalid parameter, so the dependencies it already
called run again in FastAPI's handler: on these routes that is harmless (the token check
and the query-key check are pure, the tenant lease opens once per request).

The OpenAPI document is FastAPI's as before: it is built from the same route attributes,
which the plan only reads.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable, Coroutine
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from fastapi import params
from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant, _get_cache_key
from fastapi.dependencies.utils import _get_param_aliases, _get_param_model, _is_json_field
from fastapi.routing import APIRoute, APIRouter, _effective_route_context_var
from pydantic.fields import FieldInfo
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
_MISSING = object()


@dataclass(frozen=True, slots=True)
class _Param:
    """A query or path parameter: where to read it and how FastAPI would validate it."""

    name: str
    key: str  # its name in the request (the alias)
    loc: tuple[str, str]
    field: Any  # FastAPI's ModelField
    sequence: bool
    required: bool
    validate_default: bool

    def value(self, given: Any) -> Any:
        """The validated value, or ``_MISSING`` when FastAPI would answer an error."""
        if given is None or (self.sequence and not given):
            if self.required:
                return _MISSING
            value = deepcopy(self.field.default)
            if not self.validate_default:
                return value
        else:
            value = given
        validated, errors = self.field.validate(value, {}, loc=self.loc)
        return _MISSING if errors else validated


@dataclass(frozen=True, slots=True)
class _Step:
    """One node of the dependency tree: what it needs, then the call."""

    call: Callable[..., Awaitable[Any]]
    name: str | None
    cache_key: Any  # None when the dependency asks not to be cached
    subs: tuple[_Step, ...]
    path: tuple[_Param, ...]
    query: tuple[_Param, ...]
    request_name: str | None


class _Unsupported(Exception):
    """This route uses something the plan does not cover: FastAPI keeps it."""


def _param(field: Any) -> _Param:
    info: FieldInfo = field.field_info
    if not isinstance(info, params.Path | params.Query):
        raise _Unsupported("not a path or query parameter")
    if _get_param_model(field) is not None or _is_json_field(field):
        raise _Unsupported("a parameter model or a JSON parameter")
    aliases = _get_param_aliases(field)
    if len(aliases) != 1:
        raise _Unsupported("alias choices")
    alias, key = aliases[0]
    return _Param(
        name=field.name,
        key=key,
        loc=(info.in_.value, alias),
        field=field,
        sequence=field_annotation_is_sequence(info.annotation),
        required=info.is_required(),
        validate_default=bool(info.validate_default),
    )


def _step(dependant: Dependant) -> _Step:
    """The plan of ``dependant``'s tree; :class:`_Unsupported` if any part is out of it."""
    call = dependant.call
    if call is None or not _is_async_function(call):
        raise _Unsupported("not an async def")
    if (
        dependant.body_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.own_oauth_scopes
        or dependant.parent_oauth_scopes
        or dependant.concurrency is not None
    ):
        raise _Unsupported("a body, headers, cookies, scopes or a special parameter")
    return _Step(
        call=call,
        name=dependant.name,
        cache_key=_get_cache_key(dependant=dependant) if dependant.use_cache else None,
        subs=tuple(_step(sub) for sub in dependant.dependencies),
        path=tuple(_param(field) for field in dependant.path_params),
        query=tuple(_param(field) for field in dependant.query_params),
        request_name=dependant.request_param_name,
    )


def _is_async_function(call: Callable[..., Any]) -> bool:
    """An ``async def`` (or an object whose ``__call__`` is one), not an async generator."""
    target = call if inspect.isroutine(call) else getattr(call, "__call__", None)  # noqa: B004
    return inspect.iscoroutinefunction(target)


async def _solve(step: _Step, request: Request, cache: dict[Any, Any]) -> dict[str, Any] | None:
    """The arguments of ``step.call``, or None where FastAPI would answer a validation error.

    Dependencies are called in FastAPI's order (sub-dependencies first, in declaration
    order), each once per request unless it asked not to be cached.
    """
    values: dict[str, Any] = {}
    for sub in step.subs:
        if sub.cache_key is not None and sub.cache_key in cache:
            solved = cache[sub.cache_key]
        else:
            arguments = await _solve(sub, request, cache)
            if arguments is None:
                return None
            solved = await sub.call(**arguments)
            if sub.cache_key is not None:
                cache[sub.cache_key] = solved
        if sub.name is not None:
            values[sub.name] = solved
    if not _read(step.path, request.path_params, values, sequence=False):
        return None
    if step.query and not _read(step.query, request.query_params, values, sequence=True):
        return None
    if step.request_name is not None:
        values[step.request_name] = request
    return values


def _read(
    fields: tuple[_Param, ...], given: Any, values: dict[str, Any], *, sequence: bool
) -> bool:
    """Validate ``fields`` from ``given`` into ``values``; False at the first invalid one."""
    for field in fields:
        raw = given.getlist(field.key) if sequence and field.sequence else given.get(field.key)
        value = field.value(raw)
        if value is _MISSING:
            return False
        values[field.name] = value
    return True


def _returns_response(call: Callable[..., Any]) -> bool:
    """Whether the endpoint is annotated to return a Response (no response model to apply)."""
    try:
        hints = typing.get_type_hints(call)
    except Exception:  # an annotation that does not resolve: leave the route to FastAPI
        return False
    answer = hints.get("return")
    return isinstance(answer, type) and issubclass(answer, Response)


class DirectRoute(APIRoute):
    """An APIRoute that resolves its dependencies by a plan built once (see the module)."""

    def get_route_handler(self) -> Handler:
        fastapi_handler = super().get_route_handler()
        # Routers are included lazily: the dependencies of the app and of include_router are
        # in the inclusion's own route, which FastAPI names in this context variable while it
        # builds that inclusion's handler (fastapi.routing, APIRoute.get_route_handler).
        context = _effective_route_context_var.get()
        route: Any = self
        if context is not None and context.original_route is self:
            route = context
        try:
            plan = _plan(route)
        except _Unsupported:
            return fastapi_handler
        return _direct_handler(plan, route.dependency_overrides_provider, fastapi_handler)


def _plan(route: Any) -> _Step:
    dependant: Dependant = route.dependant
    if route.body_field is not None or route.response_field is not None:
        raise _Unsupported("a body or a response model")
    if dependant.call is None or not _returns_response(dependant.call):
        raise _Unsupported("an endpoint that does not return a Response")
    return _step(dependant)


def _direct_handler(plan: _Step, overrides: Any, fastapi_handler: Handler) -> Handler:
    async def handle(request: Request) -> Response:
        if overrides is not None and getattr(overrides, "dependency_overrides", None):
            return await fastapi_handler(request)
        arguments = await _solve(plan, request, {})
        if arguments is None:  # FastAPI answers its validation error, as ever
            return await fastapi_handler(request)
        response: Response = await plan.call(**arguments)
        return response

    return handle


class DirectRouter(APIRouter):
    """A router of :class:`DirectRoute` routes that a request outside its prefix skips at once.

    FastAPI finds a request's route by asking each route of each included router in turn,
    with some bookkeeping of the scope per route (~5 µs each): a Bolt trips page asked the
    seven Uber routes first. A route of this router has a path starting with its prefix, so a
    path without it can match none of them. This holds for a router included at the app's
    root, as ours are (``include_router`` given no prefix of its own).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", DirectRoute)
        super().__init__(**kwargs)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.prefix and not get_route_path(scope).startswith(self.prefix):
            return Match.NONE, {}
        return super().matches(scope)
