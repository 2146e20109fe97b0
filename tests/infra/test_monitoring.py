"""The monitoring declared in infra/ hangs together: every SLO, alert and chart selects a metric
that is built in or declared here (with labels it has), every alert links a runbook that
exists, every endpoint group has its service levels, and the log metrics' filters and
extractors are in the query subset tests/infra/log_query.py evaluates. That they match lines
the code really writes is tests/e2e/test_log_metrics_e2e.py."""

from __future__ import annotations

import re

import pytest

from infra.local.routes import load_table
from tests.infra.log_query import compile_extractor, compile_filter, log_entry
from tests.infra.monitoring_config import (
    BUILT_IN,
    LOG_METRIC_TYPE,
    METRIC_LABEL,
    METRIC_TYPE,
    dashboard,
    declared_types,
    hcl_string,
    log_metrics,
    selections,
)
from tests.infra.terraform_config import INFRA, literal, load

RUNBOOKS = INFRA.parent / "docs" / "runbooks"


def test_every_selected_metric_is_built_in_or_declared_with_the_labels_used() -> None:
    declared = declared_types()
    chosen = selections()
    assert len(chosen) > 25
    for where, text in chosen:
        types = METRIC_TYPE.findall(text)
        assert len(types) == 1, (where, text)
        metric = types[0]
        assert metric in BUILT_IN or metric in declared, f"{where}: {metric} is not declared"
        if metric in declared:
            for label in METRIC_LABEL.findall(text):
                assert label in declared[metric], f"{where}: {metric} has no label {label}"


def test_dashboard_charts_group_by_labels_their_metric_has() -> None:
    declared = declared_types()
    tiles = dashboard()["mosaicLayout"]["tiles"]
    assert len(tiles) >= 15
    titles = " ".join(t["widget"]["title"].lower() for t in tiles)
    signals = ["endpoint group", "dead-letter", "ingested", "streams", "delivery lag", "renders"]
    signals += ["429", "dependency", "relay instances", "backlog", "tier"]
    for signal in signals:
        assert signal in titles, signal
    for tile in tiles:
        for data_set in tile["widget"]["xyChart"]["dataSets"]:
            query = data_set["timeSeriesQuery"]["timeSeriesFilter"]
            metric = METRIC_TYPE.findall(query["filter"])[0]
            for field in query["aggregation"].get("groupByFields", []):
                if field.startswith("metric.label.") and metric in declared:
                    assert field.removeprefix("metric.label.") in declared[metric], field
    # Every log-based metric is on the page.
    shown = {METRIC_TYPE.findall(f)[0] for _, f in selections()}
    assert set(declared) <= shown, set(declared) - shown


def test_every_log_metric_filter_and_extractor_is_in_the_checked_subset() -> None:
    metrics = log_metrics()
    assert len(metrics) >= 7
    for metric in metrics.values():
        compile_filter(metric.filter)
        for extractor in metric.labels.values():
            compile_extractor(extractor)
        if metric.value:
            compile_extractor(metric.value)


def alert_policies() -> dict[str, dict[str, object]]:
    return {
        name: body
        for name, body in load().resources.items()
        if name.startswith("google_monitoring_alert_policy.")
    }


def test_every_alert_links_an_existing_runbook_and_every_runbook_has_an_alert() -> None:
    policies = alert_policies()
    assert {
        "google_monitoring_alert_policy.slo_burn",
        "google_monitoring_alert_policy.dead_letter_backlog",
        "google_monitoring_alert_policy.relay_near_capacity",
        "google_monitoring_alert_policy.render_failures",
        "google_monitoring_alert_policy.push_backlog",
    } <= set(policies)
    linked = set()
    for name, body in policies.items():
        content = literal(body["documentation"][0]["content"])  # type: ignore[index]
        pages = re.findall(r"\$\{local\.runbooks\}/([\w-]+\.md)", content)
        assert len(pages) == 1, f"{name}: its documentation must link one runbook"
        assert (RUNBOOKS / pages[0]).is_file(), f"{name}: docs/runbooks/{pages[0]} is missing"
        assert body["notification_channels"] == "${var.notification_channels}", name
        linked.add(pages[0])
    written = {p.name for p in RUNBOOKS.glob("*.md")} - {"README.md"}
    assert written == linked, written ^ linked


def test_every_endpoint_group_has_service_levels() -> None:
    functions, _ = load_table()
    config = load()
    served = {name for name, spec in functions.items() if spec.kind in ("http", "asgi")}
    http = {name for name, spec in functions.items() if spec.kind == "http"}
    # Availability covers http + asgi through local.served_groups; latency is listed by name.
    assert hcl_string(config.locals["served_groups"]) == (
        "${merge(local.http_functions, local.asgi_services)}"
    )
    assert served - http == {"events_relay"}
    assert set(config.locals["latency_slos"]) == http
    for body in config.locals["latency_slos"].values():
        assert 0.9 <= body["goal"] < 1 and body["threshold_ms"] > 0
    assert "google_monitoring_slo.delivery_lag" in config.resources
    burn = config.locals["burn_windows"]
    assert set(burn) == {"fast", "slow"}


@pytest.mark.parametrize(
    ("query", "line", "expected"),
    [
        ('jsonPayload.logger="videovector.relay"', {"logger": "videovector.relay"}, True),
        ('jsonPayload.logger="videovector.relay"', {"logger": "videovector.relayx"}, False),
        ("jsonPayload.x:*", {"x": ""}, True),
        ("jsonPayload.x:*", {"y": 1}, False),
        ("jsonPayload.lag>=0", {"lag": 0.5}, True),
        ("jsonPayload.lag>=0", {"lag": "fast"}, False),
        ("severity>=WARNING", {"severity": "ERROR"}, True),
        ("severity>=WARNING", {"severity": "INFO"}, False),
        ('jsonPayload.a="1" AND jsonPayload.b:*', {"a": "1"}, False),
        ("jsonPayload.severity:*", {"severity": "INFO"}, False),  # promoted out of the payload
    ],
)
def test_the_filter_evaluator(query: str, line: dict[str, object], expected: bool) -> None:
    assert compile_filter(query)(log_entry(line)) is expected


@pytest.mark.parametrize(
    "query", ['jsonPayload.a="1" OR jsonPayload.b="2"', 'NOT jsonPayload.a="1"', "jsonPayload.a"]
)
def test_the_evaluator_refuses_what_it_does_not_check(query: str) -> None:
    with pytest.raises(ValueError):
        compile_filter(query)


def test_extractors() -> None:
    entry = log_entry({"logger": "videovector.events_ingest", "n": 3})
    assert compile_extractor("EXTRACT(jsonPayload.n)")(entry) == "3"
    assert compile_extractor("EXTRACT(jsonPayload.missing)")(entry) is None
    regex = compile_extractor('REGEXP_EXTRACT(jsonPayload.logger, "^videovector\\\\.(.+)$")')
    assert regex(entry) == "events_ingest"
    with pytest.raises(ValueError):
        compile_extractor('REGEXP_EXTRACT(jsonPayload.logger, "(a)(b)")')


def test_log_metric_types_use_the_name_prefix() -> None:
    metric = load().resources["google_logging_metric.log"]
    assert literal(metric["name"]) == "${var.name_prefix}_${each.key}"
    declared = hcl_string(load().locals["log_metric_type"])
    assert declared.replace("${var.name_prefix}", "vv") == LOG_METRIC_TYPE
