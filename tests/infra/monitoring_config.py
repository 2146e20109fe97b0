"""What infra/monitoring_*.tf and infra/dashboard.json.tftpl declare, read as python-hcl2 gives
it: the log-based metrics, and every metric type an SLO, alert or dashboard chart selects."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from tests.infra.terraform_config import INFRA, load, strings

NAME_PREFIX = "vv"  # var.name_prefix's default
LOG_METRIC_TYPE = f"logging.googleapis.com/user/{NAME_PREFIX}"
# The platform metrics this configuration selects (cloud.google.com/monitoring/api/metrics_gcp).
BUILT_IN = {
    "run.googleapis.com/request_count",
    "run.googleapis.com/request_latencies",
    "run.googleapis.com/container/instance_count",
    "run.googleapis.com/container/max_request_concurrencies",
    "pubsub.googleapis.com/subscription/num_undelivered_messages",
    "pubsub.googleapis.com/subscription/oldest_unacked_message_age",
    "pubsub.googleapis.com/topic/send_request_count",
    "firestore.googleapis.com/api/request_count",
}
METRIC_TYPE = re.compile(r'metric\.type="([^"]+)"')
METRIC_LABEL = re.compile(r'metric\.label\."?(\w+)"?')
MONITORING_FILES = ("monitoring_alerts.tf", "monitoring_slos.tf", "monitoring_metrics.tf")


@dataclass(frozen=True)
class LogMetric:
    name: str
    filter: str
    labels: dict[str, str]
    value: str


def hcl_string(raw: Any) -> str:
    """An HCL quoted string's value (its escapes are JSON's), with the log metric prefix and
    the defaults of the variables it names filled in."""
    text = json.loads(raw) if isinstance(raw, str) and raw.startswith('"') else str(raw)
    return text.replace("${local.log_metric_type}", LOG_METRIC_TYPE)


def log_metrics() -> dict[str, LogMetric]:
    declared = load().locals["log_metrics"]
    return {
        name: LogMetric(
            name,
            hcl_string(body["filter"]),
            {k: hcl_string(v) for k, v in body["labels"].items()},
            hcl_string(body["value"]),
        )
        for name, body in declared.items()
    }


def declared_types() -> dict[str, set[str]]:
    """Metric type -> its labels, for every log-based metric declared here."""
    return {f"{LOG_METRIC_TYPE}_{m.name}": set(m.labels) for m in log_metrics().values()}


def dashboard() -> dict[str, Any]:
    text = (INFRA / "dashboard.json.tftpl").read_text()
    values = {
        "prefix": NAME_PREFIX,
        "log_metric_type": LOG_METRIC_TYPE,
        "relay_service": f"{NAME_PREFIX}-events-relay",
        "hold_subscription": "processing-events-dead-letter-hold",
        "relay_max_instances": "10",
        "relay_concurrency": "1000",
        "delivery_lag_ms": "5000",
    }
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], text)
    parsed: dict[str, Any] = json.loads(rendered)
    return parsed


def selections() -> list[tuple[str, str]]:
    """(where, filter) for every monitoring filter of an SLO, an alert or a dashboard chart."""
    found = []
    config = load()
    for name in MONITORING_FILES:
        for text in strings(config.files[name]):
            if "metric.type" in text:
                found.append((name, hcl_string(text)))
    for tile in dashboard()["mosaicLayout"]["tiles"]:
        for data_set in tile["widget"]["xyChart"]["dataSets"]:
            query = data_set["timeSeriesQuery"]["timeSeriesFilter"]
            found.append((tile["widget"]["title"], query["filter"]))
    return found
