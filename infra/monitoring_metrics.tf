# Log-based metrics: counts and distributions taken from the JSON lines the code writes
# (shared/structured_logging.py), one field per signal. Requests, instances, streams per
# instance and Pub/Sub backlogs come from the platform's own metrics (docs/decisions/052).
# tests/infra/test_monitoring.py and tests/e2e/test_log_metrics_e2e.py check every filter and
# extractor below against lines the running code wrote.

locals {
  log_metric_type = "logging.googleapis.com/user/${var.name_prefix}"
  # Every entry has the same attributes (for_each needs one type): value "" is a counter.
  log_metrics = {
    events_ingested = {
      description = "Processing events pushed to the ingest function: stored, duplicate (ignored) or dead_lettered, with the reason."
      filter      = "jsonPayload.logger=\"videovector.events_ingest\" AND jsonPayload.ingest_outcome:*"
      labels      = { outcome = "EXTRACT(jsonPayload.ingest_outcome)", reason = "EXTRACT(jsonPayload.reason)" }
      value       = ""
      unit        = "1"
    }
    streams_ended = {
      description = "Streams the relay ended, by reason (slow_consumer, stream_duration_limit, store_unavailable, cursor_expired, ...)."
      filter      = "jsonPayload.logger=\"videovector.relay\" AND jsonPayload.stream_end_reason:*"
      labels      = { reason = "EXTRACT(jsonPayload.stream_end_reason)" }
      value       = ""
      unit        = "1"
    }
    delivery_lag = {
      description = "Stored (commit time) to handed out to the streams, for the oldest event of each relay read."
      filter      = "jsonPayload.logger=\"videovector.relay\" AND jsonPayload.delivery_lag_ms>=0"
      labels      = {}
      value       = "EXTRACT(jsonPayload.delivery_lag_ms)"
      unit        = "ms"
    }
    commit_gap = {
      description = "Stamp (SERVER_TIMESTAMP, the event's position) to commit time of each stored event: what the relay's settle window must exceed (docs/decisions/023)."
      filter      = "jsonPayload.logger=\"videovector.events_ingest\" AND jsonPayload.commit_gap_ms>=0"
      labels      = {}
      value       = "EXTRACT(jsonPayload.commit_gap_ms)"
      unit        = "ms"
    }
    previews_served = {
      description = "Previews served, by kind and by where they came from (not_modified, memory, bucket, made)."
      filter      = "jsonPayload.logger=\"videovector.previews\" AND jsonPayload.preview_tier:*"
      labels      = { kind = "EXTRACT(jsonPayload.preview_kind)", tier = "EXTRACT(jsonPayload.preview_tier)" }
      value       = ""
      unit        = "1"
    }
    renders = {
      description = "Preview renders, by kind and outcome (ok, failed, unprocessable)."
      filter      = "jsonPayload.logger=\"videovector.previews\" AND jsonPayload.render_outcome:*"
      labels      = { kind = "EXTRACT(jsonPayload.preview_kind)", outcome = "EXTRACT(jsonPayload.render_outcome)" }
      value       = ""
      unit        = "1"
    }
    render_duration = {
      description = "How long preview renders took, by kind and outcome."
      filter      = "jsonPayload.logger=\"videovector.previews\" AND jsonPayload.render_ms>=0"
      labels      = { kind = "EXTRACT(jsonPayload.preview_kind)", outcome = "EXTRACT(jsonPayload.render_outcome)" }
      value       = "EXTRACT(jsonPayload.render_ms)"
      unit        = "ms"
    }
    rate_limited = {
      description = "Requests refused with 429, by the budget that ran out."
      filter      = "jsonPayload.logger=\"videovector.http\" AND jsonPayload.rate_limit_budget:*"
      labels      = { budget = "EXTRACT(jsonPayload.rate_limit_budget)" }
      value       = ""
      unit        = "1"
    }
    dependency_errors = {
      description = "Calls to Firestore, Pub/Sub, the buckets or the embedder that failed as unavailable, by component and dependency."
      filter      = "jsonPayload.dependency_error:* AND severity>=WARNING"
      labels = {
        component  = "REGEXP_EXTRACT(jsonPayload.logger, \"^videovector\\\\.(.+)$\")"
        dependency = "REGEXP_EXTRACT(jsonPayload.dependency_error, \"^(?:The )?(.+?) (?:is|did|was|took) \")"
      }
      value = ""
      unit  = "1"
    }
  }
}

resource "google_logging_metric" "log" {
  for_each    = local.log_metrics
  name        = "${var.name_prefix}_${each.key}"
  description = each.value.description
  filter      = each.value.filter
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = each.value.value == "" ? "INT64" : "DISTRIBUTION"
    unit        = each.value.unit
    dynamic "labels" {
      for_each = each.value.labels
      content {
        key        = labels.key
        value_type = "STRING"
      }
    }
  }
  label_extractors = each.value.labels
  value_extractor  = each.value.value == "" ? null : each.value.value
  dynamic "bucket_options" {
    for_each = each.value.value == "" ? [] : [1]
    content {
      # 1 ms to ~10 min in 40 buckets (x1.4 each): fine enough around the 5 s lag target.
      exponential_buckets {
        num_finite_buckets = 40
        growth_factor      = 1.4
        scale              = 1
      }
    }
  }
  depends_on = [google_project_service.api]
}
