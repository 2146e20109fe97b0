"""Requests that Flask turns away before the router runs still answer in the error envelope;
what handlers reply is serialised from response models only."""

from __future__ import annotations

import flask

from shared.bootstrap import Container
from shared.domain.resources.base import PaginationInfo
from shared.http.router import Reply, RequestContext, Router


def test_a_path_werkzeug_cannot_route_gets_the_envelope() -> None:
    app = flask.Flask("framework-errors")
    with app.app_context():  # as functions-framework runs main.py
        router = Router()
    app.add_url_rule("/<path:path>", view_func=lambda path: router(flask.request))
    response = app.test_client().get("/api/v2/markers/a%0Ab", headers={"X-Request-ID": "abcdefgh1"})
    assert response.status_code == 404
    assert response.json is not None
    assert response.json["error"]["code"] == "resource_not_found"
    assert response.json["error"]["request_id"] == "abcdefgh1"
    assert response.headers["X-Request-ID"] == "abcdefgh1"


def test_a_json_reply_is_a_response_model_never_a_hand_built_dict(container: Container) -> None:
    """The router serialises models only (decision 043): a dict would go out undescribed."""
    router = Router(lambda: container)

    @router.route("GET", "/models", scope=None)
    def models(ctx: RequestContext) -> Reply:
        return Reply([PaginationInfo(limit=1, has_more=False, next_cursor=None)])

    @router.route("GET", "/dict", scope=None)
    def hand_built(ctx: RequestContext) -> Reply:
        return Reply({"limit": 1})  # type: ignore[arg-type]

    app = flask.Flask("replies")
    app.add_url_rule("/<path:path>", view_func=lambda path: router(flask.request))
    client = app.test_client()
    ok = client.get("/models")
    assert ok.get_data() == b'[{"limit":1,"has_more":false,"next_cursor":null}]'
    refused = client.get("/dict")
    assert refused.status_code == 500 and refused.json == {
        "error": {
            "code": "internal_error",
            "message": "An internal error occurred.",
            "details": {},
            "request_id": refused.headers["X-Request-ID"],
        }
    }


def test_an_endpoint_without_a_query_model_refuses_any_parameter(container: Container) -> None:
    """As a declared query model refuses names it does not know (``extra="forbid"``): a
    client's typo must not be silently ignored (a new user found the sprites ignoring them)."""
    router = Router(lambda: container)

    @router.route("DELETE", "/things/{thing_id}", scope=None, statuses=(204,))
    def delete_thing(ctx: RequestContext) -> Reply:
        return Reply(status=204)

    app = flask.Flask("query-parameters")
    app.add_url_rule(
        "/<path:path>", view_func=lambda path: router(flask.request), methods=["DELETE"]
    )
    client = app.test_client()
    assert client.delete("/things/t1").status_code == 204
    refused = client.delete("/things/t1?force=1&force=2&dry_run=")
    assert refused.status_code == 422 and refused.json is not None
    error = refused.json["error"]
    assert error["code"] == "validation_failed"
    assert [e["field"] for e in error["details"]["errors"]] == ["force", "dry_run"]
    assert {e["type"] for e in error["details"]["errors"]} == {"extra_forbidden"}
