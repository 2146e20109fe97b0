"""Requests that Flask turns away before the router runs still answer in the error envelope."""

from __future__ import annotations

import flask

from shared.http.router import Router


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
