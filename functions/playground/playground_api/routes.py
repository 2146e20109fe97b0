"""``/api/v2/playground/videos``, ``/api/v2/playground/search`` and
``/api/v2/search/filter/playground``."""

from __future__ import annotations

from playground_api.models import (
    FilterSearchRequest,
    PlaygroundListQuery,
    PlaygroundSearchQuery,
    PlaygroundSearchRequest,
)
from shared.domain.principals import Scope
from shared.domain.resources.media import PlaygroundVideoList
from shared.domain.resources.search import FilterSearchResponse, SearchResult
from shared.http.router import Reply, RequestContext, Router
from shared.pagination import pagination_of

router = Router(secrets=("preview_link_secret",))


@router.route(
    "GET",
    "/api/v2/playground/videos",
    scope=Scope.READ,
    query=PlaygroundListQuery,
    response=PlaygroundVideoList,
)
def list_playground_videos(ctx: RequestContext) -> Reply:
    """The caller's index-less media, newest first, paginated."""
    q = ctx.query(PlaygroundListQuery)
    page = ctx.container.catalog_service.playground_videos(ctx.principal.user_id, q.limit, q.cursor)
    return Reply(PlaygroundVideoList(data=page.items, pagination=pagination_of(page)))


@router.route(
    "POST",
    "/api/v2/playground/search",
    scope=Scope.SEARCH,
    body=PlaygroundSearchRequest,
    query=PlaygroundSearchQuery,
    response=list[SearchResult],
)
def playground_search(ctx: RequestContext) -> Reply:
    """Playground segments ranked by semantic similarity to the query."""
    body = ctx.body(PlaygroundSearchRequest)
    q = ctx.query(PlaygroundSearchQuery)
    results = ctx.container.search_service.playground_search(
        ctx.principal.user_id, body.query, body.top_k, q.run_id
    )
    return Reply(results)


@router.route(
    "POST",
    "/api/v2/search/filter/playground",
    scope=Scope.SEARCH,
    body=FilterSearchRequest,
    response=FilterSearchResponse,
)
def filter_playground(ctx: RequestContext) -> Reply:
    """Playground segments whose metadata satisfies every condition, paginated."""
    body = ctx.body(FilterSearchRequest)
    answer = ctx.container.search_service.filter_search(
        ctx.principal.user_id,
        body.conditions,
        body.page_size,
        body.cursor,
        run_ids=body.run_ids,
        index_ids=body.index_ids,
    )
    return Reply(answer)
