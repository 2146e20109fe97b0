# Alert policies; each one's documentation names its runbook in docs/runbooks/. Notification
# channels come from var.notification_channels (none by default: the incidents still open in
# the console). Thresholds and windows: docs/decisions/052.

locals {
  runbooks = var.runbook_base_url != "" ? trimsuffix(var.runbook_base_url, "/") : "docs/runbooks (in the repository)"
  slos = merge(
    { for k, slo in google_monitoring_slo.availability : "availability-${k}" => slo.name },
    { for k, slo in google_monitoring_slo.latency : "latency-${k}" => slo.name },
    { "delivery-lag" = google_monitoring_slo.delivery_lag.name },
  )
  # Multiwindow burn rates over the 28-day budget: "fast" spends 2% of it in an hour, "slow"
  # 5% in six hours; the short window makes the alert stop soon after the burning does.
  burn_windows = {
    fast = { long = "3600s", short = "300s", rate = 14.4 }
    slow = { long = "21600s", short = "1800s", rate = 6 }
  }
  slo_burn_alerts = {
    for pair in setproduct(keys(local.slos), keys(local.burn_windows)) :
    "${pair[0]}-${pair[1]}" => { slo = pair[0], window = pair[1] }
  }
  # Oldest unacknowledged push message, per CloudEvent function: the ingest should keep up
  # within a couple of minutes; a processing run may legitimately take several.
  backlog_seconds  = { events_ingest = 120, processing_worker = 1800 }
  dead_letter_hold = google_pubsub_subscription.dead_letter_hold.name
  relay_service    = local.resource_names["events_relay"]
}

resource "google_monitoring_alert_policy" "slo_burn" {
  for_each              = local.slo_burn_alerts
  display_name          = "SLO ${each.value.slo}: error budget burning (${each.value.window})"
  combiner              = "AND"
  notification_channels = var.notification_channels
  documentation {
    content   = "The ${each.value.slo} service level spends its error budget ${local.burn_windows[each.value.window].rate}x faster than it may. Runbook: ${local.runbooks}/error-budget-burn.md"
    mime_type = "text/markdown"
  }
  dynamic "conditions" {
    for_each = ["long", "short"]
    content {
      display_name = "burn rate over ${local.burn_windows[each.value.window][conditions.value]} > ${local.burn_windows[each.value.window].rate}"
      condition_threshold {
        filter          = "select_slo_burn_rate(\"${local.slos[each.value.slo]}\", \"${local.burn_windows[each.value.window][conditions.value]}\")"
        comparison      = "COMPARISON_GT"
        threshold_value = local.burn_windows[each.value.window].rate
        duration        = "0s"
      }
    }
  }
}

resource "google_monitoring_alert_policy" "dead_letter_backlog" {
  display_name          = "Dead letters waiting on ${local.dead_letter_hold}"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content   = "Messages were dead-lettered (rejected by the ingest, or undeliverable after ${local.max_delivery_attempts} attempts) and wait on the hold subscription. Runbook: ${local.runbooks}/dead-letter-backlog.md"
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "undelivered dead letters > 0"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\" AND resource.label.\"subscription_id\"=\"${local.dead_letter_hold}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
  conditions {
    display_name = "oldest dead letter older than an hour"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.type=\"pubsub_subscription\" AND resource.label.\"subscription_id\"=\"${local.dead_letter_hold}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 3600
      duration        = "0s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
}

resource "google_monitoring_alert_policy" "relay_near_capacity" {
  display_name          = "Relay near its maximum (${local.relay_service})"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content   = "The relay runs at 80% of var.relay_max_instances (${var.relay_max_instances}) or its instances hold 80% of var.relay_concurrency (${var.relay_concurrency}) streams each: new streams will soon be refused. Runbook: ${local.runbooks}/relay-near-capacity.md"
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "instances >= 80% of the maximum"
    condition_threshold {
      filter          = "metric.type=\"run.googleapis.com/container/instance_count\" AND resource.type=\"cloud_run_revision\" AND resource.label.\"service_name\"=\"${local.relay_service}\""
      comparison      = "COMPARISON_GT"
      threshold_value = floor(var.relay_max_instances * 0.8) - 0.5
      duration        = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
    }
  }
  conditions {
    display_name = "open streams per instance >= 80% of the concurrency"
    condition_threshold {
      filter          = "metric.type=\"run.googleapis.com/container/max_request_concurrencies\" AND resource.type=\"cloud_run_revision\" AND resource.label.\"service_name\"=\"${local.relay_service}\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.relay_concurrency * 0.8
      duration        = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_PERCENTILE_99"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.label.service_name"]
      }
    }
  }
}

resource "google_monitoring_alert_policy" "render_failures" {
  display_name          = "Preview renders failing"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content   = "More than 10% of preview renders failed (timeouts, interrupted renders, unreadable sources) over 10 minutes. Runbook: ${local.runbooks}/render-failures.md"
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "failed renders / renders > 10%"
    condition_threshold {
      filter             = "metric.type=\"${local.log_metric_type}_renders\" AND resource.type=\"cloud_run_revision\" AND metric.label.\"outcome\"=\"failed\""
      denominator_filter = "metric.type=\"${local.log_metric_type}_renders\" AND resource.type=\"cloud_run_revision\""
      comparison         = "COMPARISON_GT"
      threshold_value    = 0.1
      duration           = "600s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }
      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }
  depends_on = [google_logging_metric.log]
}

resource "google_monitoring_alert_policy" "push_backlog" {
  for_each              = local.event_functions
  display_name          = "Push backlog of ${local.resource_names[each.key]}"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content   = "The oldest message waiting for ${each.key} is older than ${lookup(local.backlog_seconds, each.key, 600)} s: the function is failing, throttled or too slow. Runbook: ${local.runbooks}/ingest-backlog.md"
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "oldest unacked push message too old"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.type=\"pubsub_subscription\" AND resource.label.\"subscription_id\"=\"${google_pubsub_subscription.push[each.key].name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = lookup(local.backlog_seconds, each.key, 600)
      duration        = "120s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
}
