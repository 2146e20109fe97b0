"""A document create as Firestore's ``Write`` protobuf, built without proto-plus.

The client's ``WriteBatch.create`` encodes a document through proto-plus wrappers: ~150 µs for
an event document, a tenth of the ingest function's CPU per event, spent by the one thread
that leads a group commit while the others wait (docs/decisions/022). The raw protobuf
classes build the same bytes in ~25 µs, and each request thread builds its own before it
queues. Values of the types an event document holds (None, bool, int, float, str, datetime,
lists, maps) are encoded here; a document with any other value (bytes, references, geo
points, vectors, ...) is left to the client's own encoder, so nothing it can store is refused.
``tests/unit/test_firestore_writes.py`` holds both encoders to the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1 import SERVER_TIMESTAMP, _helpers
from google.cloud.firestore_v1.types import write as write_types

_Write = write_types.Write.pb()
_REQUEST_TIME = write_types.DocumentTransform.FieldTransform.ServerValue.REQUEST_TIME


class _Unplain(Exception):
    """A value this module does not encode: the client's encoder takes the document."""


def _encode(value: Any, out: Any) -> None:
    kind = type(value)
    if value is None:
        out.null_value = 0
    elif kind is bool:
        out.boolean_value = value
    elif kind is int:
        out.integer_value = value
    elif kind is float:
        out.double_value = value
    elif kind is str:
        out.string_value = value
    elif kind is datetime:  # not DatetimeWithNanoseconds: its nanoseconds need the client
        out.timestamp_value.FromDatetime(value)
    elif kind is dict:
        fields = out.map_value.fields
        out.map_value.SetInParent()  # an empty map is a map, not an unset value
        for key, item in value.items():
            if type(key) is not str:
                raise _Unplain
            _encode(item, fields[key])
    elif kind is list or kind is tuple:
        values = out.array_value.values
        out.array_value.SetInParent()
        for item in value:
            _encode(item, values.add())
    else:
        raise _Unplain


def create_write(document_name: str, data: Mapping[str, Any]) -> Any:
    """The ``Write`` that creates ``document_name`` (its full resource name) holding ``data``:
    an ``exists: false`` precondition, and the server's request time for each top-level field
    set to ``SERVER_TIMESTAMP``. Raises what the client's encoder raises for a value Firestore
    cannot hold (e.g. an integer outside int64)."""
    write = _Write()
    write.update.name = document_name
    write.current_document.exists = False
    try:
        for field, value in data.items():
            if value is SERVER_TIMESTAMP:
                transform = write.update_transforms.add()
                transform.field_path = _helpers.FieldPath(field).to_api_repr()
                transform.set_to_server_value = _REQUEST_TIME
            else:
                _encode(value, write.update.fields[field])
    except (_Unplain, ValueError, TypeError):
        # The client's encoder decides (and words the error of) everything else.
        (library_write,) = _helpers.pbs_for_create(document_name, dict(data))
        return write_types.Write.pb(library_write)
    return write
