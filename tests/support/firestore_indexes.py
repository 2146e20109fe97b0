"""Which query shapes a declared set of Firestore indexes serves, by Firestore's rules:

- equality filters only (``==``, ``in``, ``array-contains``, ``IS NULL``), ordered by nothing or
  by document id: served by merging the automatic single-field indexes;
- one field only (a range or an order on it): its automatic single-field index;
- anything else (a range or an order after equalities): a composite index whose fields are the
  equality fields (any order), then the order-by fields in order and direction;
- ``find_nearest``: a vector index whose prefix fields are exactly the equality fields.

A field exempted from the automatic indexes (``declared_exemptions``: Terraform's
``google_firestore_field`` resources with an empty ``index_config``) serves neither of the first
two cases: a query that needs it then needs a composite index.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.firestore_recorder import QueryShape

INDEX_FILE = Path(__file__).resolve().parents[2] / "infra" / "firestore.indexes.json"
NAME = "__name__"


def declared_indexes(path: Path = INDEX_FILE) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text())["indexes"])


def declared_exemptions() -> frozenset[tuple[str, str]]:
    """(collection, field) pairs without automatic single-field indexes in ``infra/*.tf``: the
    ``unindexed_fields`` and every TTL collection's ``expires_at``."""
    from tests.infra.terraform_config import load, unquote

    config = load()
    pairs = {
        (unquote(v["collection"]), unquote(v["field"]))
        for v in config.locals.get("unindexed_fields", {}).values()
    }
    pairs |= {(unquote(c), "expires_at") for c in config.locals.get("ttl_collections", [])}
    return frozenset(pairs)


def is_covered(
    shape: QueryShape,
    indexes: list[dict[str, Any]],
    exempt: frozenset[tuple[str, str]] = frozenset(),
) -> bool:
    orders = list(shape.order_by)
    if orders and orders[-1][0] == NAME:
        orders = orders[:-1]  # every index ends with the document id, in the last direction
    candidates = [i for i in indexes if i["collectionGroup"] == shape.collection]
    if shape.vector_field is not None:
        return any(_vector_index_serves(i, shape) for i in candidates)
    fields = set(shape.equalities) | set(shape.inequalities) | {f for f, _ in orders}
    automatic = not any((shape.collection, f) in exempt for f in fields)
    if automatic and ((not shape.inequalities and not orders) or len(fields) == 1):
        return True
    return any(_composite_serves(i, shape, orders) for i in candidates)


def _vector_index_serves(index: dict[str, Any], shape: QueryShape) -> bool:
    *prefix, last = index["fields"]
    return (
        last.get("fieldPath") == shape.vector_field
        and "vectorConfig" in last
        and {f["fieldPath"] for f in prefix} == set(shape.equalities)
    )


def _composite_serves(
    index: dict[str, Any], shape: QueryShape, orders: list[tuple[str, str]]
) -> bool:
    fields = [(f["fieldPath"], f.get("order")) for f in index["fields"]]
    if any(order is None for _, order in fields):
        return False
    n = len(shape.equalities)
    head, tail = fields[:n], fields[n:]
    if {f for f, _ in head} != set(shape.equalities):
        return False
    wanted = list(orders)
    for field in sorted(shape.inequalities):  # a range needs its field ordered first
        if field not in {f for f, _ in wanted}:
            wanted.insert(0, (field, "ASCENDING"))
    return tail == wanted
