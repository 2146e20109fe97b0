"""The JSON bodies the API sends, as pydantic models (decision 043).

Services build these and the router serialises them, so ``docs/openapi.json`` (generated from
the same classes) describes exactly what goes on the wire. Each model carries every field the
public ``videovector`` SDK defines for that response, with the SDK's names and types; a field
we have no value for is sent as ``null`` (or the SDK's own default where it has no null).
Fields we send beyond the SDK's come last.
"""
