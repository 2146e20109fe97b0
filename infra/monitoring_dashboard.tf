# One page with every signal of docs/decisions/052: requests and latency per endpoint group,
# ingest outcomes and dead letters, backlogs, relay instances and streams, delivery lag,
# renders and preview tiers, 429s by budget, dependency errors.
resource "google_monitoring_dashboard" "operations" {
  dashboard_json = templatefile("${path.module}/dashboard.json.tftpl", {
    prefix              = var.name_prefix
    log_metric_type     = local.log_metric_type
    relay_service       = local.relay_service
    hold_subscription   = local.dead_letter_hold
    relay_max_instances = var.relay_max_instances
    relay_concurrency   = var.relay_concurrency
    delivery_lag_ms     = local.delivery_lag_slo.threshold_ms
  })
  depends_on = [google_logging_metric.log, google_project_service.api]
}
