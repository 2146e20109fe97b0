# One Cloud Function (2nd gen) per "http" and "cloudevent" function of routes.json, each
# built from its own bundle zip (`make bundle` writes build/bundles/<name>.zip).

locals {
  runtime_defaults = { memory = "512Mi", cpu = "1", timeout = 60, concurrency = 16 }
  # Functions that decode media need more room; all others take the defaults.
  runtime_overrides = {
    media             = { memory = "2Gi", cpu = "2", timeout = 300, concurrency = 4 }
    processing_worker = { memory = "4Gi", cpu = "2", timeout = 540, concurrency = 1 }
    events_ingest     = { memory = "512Mi", cpu = "1", timeout = 60, concurrency = 64 }
  }
  function_runtime = {
    for name, f in local.all_functions :
    name => merge(local.runtime_defaults, lookup(local.runtime_overrides, name, {}))
  }
  bundle_zips = { for name, f in local.cloud_functions : name => "${path.module}/../build/bundles/${name}.zip" }
}

resource "google_storage_bucket_object" "bundle" {
  for_each = local.cloud_functions
  # The content hash in the name makes a changed bundle a new object, hence a new deployment.
  name   = "${each.key}/${filemd5(local.bundle_zips[each.key])}.zip"
  bucket = google_storage_bucket.sources.name
  source = local.bundle_zips[each.key]
}

resource "google_cloudfunctions2_function" "function" {
  for_each    = local.cloud_functions
  name        = local.resource_names[each.key]
  location    = var.region
  description = "${each.key} (${each.value.kind}), from ${each.value.source}"

  build_config {
    runtime         = "python311"
    entry_point     = each.value.target
    service_account = google_service_account.builder.id
    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.bundle[each.key].name
      }
    }
  }

  service_config {
    available_memory                 = local.function_runtime[each.key].memory
    available_cpu                    = local.function_runtime[each.key].cpu
    timeout_seconds                  = local.function_runtime[each.key].timeout
    max_instance_request_concurrency = local.function_runtime[each.key].concurrency
    min_instance_count               = 0
    max_instance_count               = var.function_max_instances
    service_account_email            = google_service_account.function[each.key].email
    all_traffic_on_latest_revision   = true
    # HTTP functions answer only the load balancer; CloudEvent functions only Pub/Sub pushes.
    ingress_settings      = each.value.kind == "http" ? "ALLOW_INTERNAL_AND_GCLB" : "ALLOW_INTERNAL_ONLY"
    environment_variables = merge(local.common_env, try(each.value.env, {}))

    dynamic "secret_environment_variables" {
      for_each = toset(local.function_access[each.key].secrets)
      content {
        key        = local.secrets[secret_environment_variables.value].env
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_iam_member.builder,
    google_secret_manager_secret_iam_member.function,
  ]
}

# The API is public behind the load balancer: ingress admits only the load balancer, and
# every route but the keyless preview links checks an API key itself.
resource "google_cloud_run_v2_service_iam_member" "public_function" {
  for_each = local.http_functions
  name     = google_cloudfunctions2_function.function[each.key].service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "push_invokes" {
  for_each = local.event_functions
  name     = google_cloudfunctions2_function.function[each.key].service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.pubsub_push.email}"
}
