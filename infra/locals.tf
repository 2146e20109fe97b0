# Everything per function comes from the one route table, so a function added to
# infra/routes.json is built, deployed, permitted and routed without editing this directory.
locals {
  routes = jsondecode(file("${path.module}/routes.json"))

  # kind "http": behind the load balancer; "cloudevent": fed by a Pub/Sub push subscription;
  # "asgi": a Cloud Run service built from its bundle's Dockerfile (the SSE relay).
  http_functions  = { for name, f in local.routes.functions : name => f if f.kind == "http" }
  event_functions = { for name, f in local.routes.functions : name => f if f.kind == "cloudevent" }
  asgi_services   = { for name, f in local.routes.functions : name => f if f.kind == "asgi" }
  cloud_functions = merge(local.http_functions, local.event_functions)
  all_functions   = merge(local.cloud_functions, local.asgi_services)
  routed          = merge(local.http_functions, local.asgi_services)

  # Resource names: a dash-separated prefix plus the function name ("vv-events-ingest").
  resource_names = { for name, f in local.all_functions : name => "${var.name_prefix}-${replace(name, "_", "-")}" }

  media_bucket   = coalesce(var.media_bucket_name, "${var.project_id}-${var.name_prefix}-media")
  derived_bucket = coalesce(var.derived_bucket_name, "${var.project_id}-${var.name_prefix}-derived")

  # Keyed by the shared.config.Settings field each one configures (routes.json "trigger").
  topics = {
    events_topic          = "processing-events"
    dead_letter_topic     = "processing-events-dead-letter"
    events_doorbell_topic = "processing-events-doorbell"
    media_uploads_topic   = "media-uploads"
  }

  # Collections whose documents carry `expires_at`: Firestore's TTL policy deletes them.
  ttl_collections = ["processing_events", "idempotency_keys", "rate_limits", "render_leases", "budget_slots"]

  # The environment every function and service reads through shared.config.Settings.
  common_env = {
    GOOGLE_CLOUD_PROJECT     = var.project_id
    VV_ENVIRONMENT           = "production"
    VV_MEDIA_BUCKET          = local.media_bucket
    VV_DERIVED_BUCKET        = local.derived_bucket
    VV_EVENTS_TOPIC          = local.topics.events_topic
    VV_DEAD_LETTER_TOPIC     = local.topics.dead_letter_topic
    VV_EVENTS_DOORBELL_TOPIC = local.topics.events_doorbell_topic
    VV_MEDIA_UPLOADS_TOPIC   = local.topics.media_uploads_topic
    VV_EVENT_RETENTION_DAYS  = tostring(var.event_retention_days)
    VV_PUBLIC_BASE_URL       = "https://${var.domain}"
    VV_LOG_LEVEL             = var.log_level
    # Bearer tokens (decision 007): the issuers trusted, "[]" (none) by default.
    VV_BEARER_ISSUERS = jsonencode(var.bearer_issuers)
  }
}
