"""A real Firestore client whose emulator channel records every RPC it sends: to count round
trips, to measure how many of them a request waits for one after another (``depth``), and to
collect the query shapes the code issues. Nothing is mocked; the calls go on to the emulator
unchanged, after ``latency`` seconds if one is given: a remote store's round trip, so that
calls sent together overlap and calls sent one after another do not, whatever the machine's
load."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.cloud import firestore


@dataclass(frozen=True)
class QueryShape:
    collection: str
    equalities: frozenset[str]
    inequalities: frozenset[str]
    order_by: tuple[tuple[str, str], ...]  # (field, "ASCENDING" | "DESCENDING")
    vector_field: str | None = None


@dataclass
class Recorded:
    methods: list[str] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)
    # [sent, answered] per call, in monotonic seconds; answered is None while it runs
    intervals: list[list[float | None]] = field(default_factory=list)
    documents: int = 0  # documents answered (the async client's calls only)

    def clear(self) -> None:
        self.methods.clear()
        self.requests.clear()
        self.intervals.clear()
        self.documents = 0

    def depth(self) -> int:
        """The round trips waited for one after another: the longest chain of calls each sent
        after the one before it was answered."""
        spans = sorted((start, end) for start, end in self.intervals if start is not None)
        if any(end is None for _, end in spans):
            raise AssertionError("a call is still running")
        chain: list[int] = []
        for i, (start, _) in enumerate(spans):
            before = [chain[j] for j in range(i) if (spans[j][1] or 0.0) <= start]
            chain.append(1 + max(before, default=0))
        return max(chain, default=0)

    def counts(self) -> Counter[str]:
        return Counter(m.rsplit("/", 1)[-1] for m in self.methods)

    def query_shapes(self) -> set[QueryShape]:
        shapes = set()
        for request in self.requests:
            pb = getattr(request, "_pb", request)
            if pb.DESCRIPTOR.name == "RunQueryRequest":
                shapes.add(shape_of(pb.structured_query))
        return shapes


class _Interceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    def __init__(self, recorded: Recorded, latency: float) -> None:
        self._recorded = recorded
        self._latency = latency
        self._lock = threading.Lock()

    def _record(self, details: Any, request: Any) -> list[float | None]:
        interval: list[float | None] = [time.monotonic(), None]
        with self._lock:  # calls arrive from several threads at once
            self._recorded.methods.append(details.method)
            self._recorded.requests.append(request)
            self._recorded.intervals.append(interval)
        if self._latency:
            time.sleep(self._latency)
        return interval

    @staticmethod
    def _answered(interval: list[float | None]) -> None:
        interval[1] = time.monotonic()

    def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        interval = self._record(client_call_details, request)
        outcome = continuation(client_call_details, request)  # blocking: answered on return
        self._answered(interval)
        return outcome

    def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        interval = self._record(client_call_details, request)
        call = continuation(client_call_details, request)
        # answered when the server has sent the last message, not when the client has read it
        call.add_callback(lambda: self._answered(interval))
        return call


class RecordingClient(firestore.Client):
    def __init__(self, *args: Any, latency: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorded = Recorded()
        self._latency = latency

    def _emulator_channel(self, transport: Any) -> Any:
        return grpc.intercept_channel(
            super()._emulator_channel(transport), _Interceptor(self.recorded, self._latency)
        )


_EQUALITY_OPS = {"EQUAL", "IN", "ARRAY_CONTAINS", "ARRAY_CONTAINS_ANY"}


def _enum_name(message: Any, field_name: str) -> str:
    enum = message.DESCRIPTOR.fields_by_name[field_name].enum_type
    return str(enum.values_by_number[getattr(message, field_name)].name)


def shape_of(query: Any) -> QueryShape:
    equalities: set[str] = set()
    inequalities: set[str] = set()

    def visit(f: Any) -> None:
        kind = f.WhichOneof("filter_type")
        if kind == "composite_filter":
            for child in f.composite_filter.filters:
                visit(child)
        elif kind == "field_filter":
            op = _enum_name(f.field_filter, "op")
            target = equalities if op in _EQUALITY_OPS else inequalities
            target.add(f.field_filter.field.field_path)
        elif kind == "unary_filter":
            op = _enum_name(f.unary_filter, "op")
            target = equalities if op in {"IS_NULL", "IS_NAN"} else inequalities
            target.add(f.unary_filter.field.field_path)

    if query.HasField("where"):
        visit(query.where)
    orders = tuple((o.field.field_path, _enum_name(o, "direction")) for o in query.order_by)
    vector = query.find_nearest.vector_field.field_path if query.HasField("find_nearest") else None
    return QueryShape(
        query.from_[0].collection_id,
        frozenset(equalities),
        frozenset(inequalities),
        orders,
        vector,
    )


class _AsyncInterceptor(grpc.aio.UnaryStreamClientInterceptor):
    """The async client's streamed calls (queries, gets), each answer counted: a query's
    documents are what Firestore bills as reads (at least one per query)."""

    def __init__(self, recorded: Recorded) -> None:
        self._recorded = recorded

    async def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        interval: list[float | None] = [time.monotonic(), None]
        self._recorded.methods.append(client_call_details.method.decode())
        self._recorded.requests.append(request)
        self._recorded.intervals.append(interval)
        call = await continuation(client_call_details, request)

        async def answers():  # type: ignore[no-untyped-def]
            async for response in call:
                pb = getattr(response, "_pb", response)
                fields = pb.DESCRIPTOR.fields_by_name
                if any(name in fields and pb.HasField(name) for name in ("document", "found")):
                    self._recorded.documents += 1
                yield response
            interval[1] = time.monotonic()

        return answers()


class RecordingAsyncClient(firestore.AsyncClient):
    """The relay's client (``Container.firestore_async``), recording its streamed calls."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorded = Recorded()

    def _emulator_channel(self, transport: Any) -> Any:
        options = [("Authorization", "Bearer owner")]
        return grpc.aio.insecure_channel(
            self._emulator_host, options=options, interceptors=[_AsyncInterceptor(self.recorded)]
        )
