"""Login through the OAuth2 password form, as /docs' Authorize button and OAuth2 clients
send it, beside our JSON body: the same tokens either way."""

from __future__ import annotations

from uuid import UUID

import httpx

from tests.apihelp import PASSWORD, bearer

FORM = "application/x-www-form-urlencoded"


async def test_login_takes_the_oauth2_password_form_and_answers_as_to_json(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    user = await make_user(org_id, "viewer")
    form = {"grant_type": "password", "username": user.email, "password": PASSWORD, "scope": ""}

    by_form = await api.post("/auth/login", data=form)
    by_json = await api.post("/auth/login", json={"email": user.email, "password": PASSWORD})
    wrong = await api.post("/auth/login", data={**form, "password": "nope"})

    assert by_form.status_code == by_json.status_code == 200, by_form.text
    assert by_form.json().keys() == by_json.json().keys()
    assert by_form.json()["token_type"] == "bearer"
    me = await api.get("/auth/me", headers=bearer(by_form.json()["access_token"]))
    assert me.json()["email"] == user.email
    assert (wrong.status_code, wrong.json()["detail"]) == (401, "invalid email or password")


async def test_a_form_without_grant_type_is_the_password_grant(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    user = await make_user(org_id)

    response = await api.post("/auth/login", data={"username": user.email, "password": PASSWORD})

    assert response.status_code == 200, response.text


async def test_a_form_with_another_grant_or_no_username_is_a_422_problem_naming_it(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    user = await make_user(org_id)
    other_grant = {"grant_type": "client_credentials", "username": user.email, "password": "x"}

    wrong_grant = await api.post("/auth/login", data=other_grant)
    no_username = await api.post("/auth/login", data={"email": user.email, "password": "x"})

    assert wrong_grant.status_code == no_username.status_code == 422
    assert wrong_grant.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in wrong_grant.json()["errors"]] == ["body.grant_type"]
    assert [e["field"] for e in no_username.json()["errors"]] == ["body.username"]


async def test_the_document_offers_both_bodies_and_sends_authorize_to_the_login(
    api: httpx.AsyncClient,
) -> None:
    spec = (await api.get("/openapi.json")).json()

    body = spec["paths"]["/auth/login"]["post"]["requestBody"]
    [scheme] = spec["components"]["securitySchemes"].values()

    assert set(body["content"]) == {"application/json", FORM}
    assert body["content"][FORM]["schema"]["required"] == ["username", "password"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["password"]["tokenUrl"] == "/auth/login"
