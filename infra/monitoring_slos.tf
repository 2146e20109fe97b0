# Service levels (docs/decisions/052 gives the targets and why): availability (share of
# non-5xx) of every endpoint group, latency of the request/response ones, and event delivery
# lag. Requests are the platform's own Cloud Run metrics; the lag is a log-based metric.

locals {
  slo_rolling_days  = 28
  availability_goal = 0.995
  # Per HTTP function of routes.json: the latency a request should beat, and how often.
  latency_slos = {
    markers       = { threshold_ms = 500, goal = 0.95 }
    stream_tokens = { threshold_ms = 300, goal = 0.95 }
    batch         = { threshold_ms = 1000, goal = 0.95 }
    playground    = { threshold_ms = 1000, goal = 0.95 }
    media         = { threshold_ms = 3000, goal = 0.95 }
  }
  delivery_lag_slo = { threshold_ms = 5000, goal = 0.99 }

  # The relay's requests are streams: its latency is how long a client stayed, so it has an
  # availability SLO only, and the delivery lag stands for its speed.
  served_groups = merge(local.http_functions, local.asgi_services)
  run_requests  = "metric.type=\"run.googleapis.com/request_count\" AND resource.type=\"cloud_run_revision\""
  run_latencies = "metric.type=\"run.googleapis.com/request_latencies\" AND resource.type=\"cloud_run_revision\""
}

resource "google_monitoring_custom_service" "api" {
  service_id   = "${var.name_prefix}-api"
  display_name = "VideoVector API (${var.name_prefix})"
  depends_on   = [google_project_service.api]
}

resource "google_monitoring_slo" "availability" {
  for_each            = local.served_groups
  service             = google_monitoring_custom_service.api.service_id
  slo_id              = "availability-${replace(each.key, "_", "-")}"
  display_name        = "${each.key}: ${local.availability_goal * 100}% of requests are not 5xx (rolling ${local.slo_rolling_days} days)"
  goal                = local.availability_goal
  rolling_period_days = local.slo_rolling_days
  request_based_sli {
    good_total_ratio {
      total_service_filter = "${local.run_requests} AND resource.label.\"service_name\"=\"${local.resource_names[each.key]}\""
      bad_service_filter   = "${local.run_requests} AND resource.label.\"service_name\"=\"${local.resource_names[each.key]}\" AND metric.label.\"response_code_class\"=\"5xx\""
    }
  }
}

resource "google_monitoring_slo" "latency" {
  for_each            = local.latency_slos
  service             = google_monitoring_custom_service.api.service_id
  slo_id              = "latency-${replace(each.key, "_", "-")}"
  display_name        = "${each.key}: ${each.value.goal * 100}% of 2xx answers within ${each.value.threshold_ms} ms (rolling ${local.slo_rolling_days} days)"
  goal                = each.value.goal
  rolling_period_days = local.slo_rolling_days
  request_based_sli {
    distribution_cut {
      distribution_filter = "${local.run_latencies} AND resource.label.\"service_name\"=\"${local.resource_names[each.key]}\" AND metric.label.\"response_code_class\"=\"2xx\""
      range {
        max = each.value.threshold_ms
      }
    }
  }
}

resource "google_monitoring_slo" "delivery_lag" {
  service             = google_monitoring_custom_service.api.service_id
  slo_id              = "event-delivery-lag"
  display_name        = "Events: ${local.delivery_lag_slo.goal * 100}% of relay reads hand out their oldest event within ${local.delivery_lag_slo.threshold_ms} ms of its storing (rolling ${local.slo_rolling_days} days)"
  goal                = local.delivery_lag_slo.goal
  rolling_period_days = local.slo_rolling_days
  request_based_sli {
    distribution_cut {
      distribution_filter = "metric.type=\"${local.log_metric_type}_delivery_lag\" AND resource.type=\"cloud_run_revision\""
      range {
        max = local.delivery_lag_slo.threshold_ms
      }
    }
  }
  depends_on = [google_logging_metric.log]
}
