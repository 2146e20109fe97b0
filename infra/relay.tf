# Each "asgi" function of routes.json (the SSE relay) is a Cloud Run service, built by Cloud
# Build from its bundle's Dockerfile into Artifact Registry and tagged with var.image_tag.

resource "google_artifact_registry_repository" "images" {
  #checkov:skip=CKV_GCP_84:Google-managed encryption; the images hold this project's code, no customer data.
  repository_id = "${var.name_prefix}-images"
  location      = var.region
  format        = "DOCKER"
  description   = "Images of the ASGI services (the processing event relay)"
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 10
    }
  }
  depends_on = [google_project_service.api]
}

resource "google_cloud_run_v2_service" "service" {
  for_each            = local.asgi_services
  name                = local.resource_names[each.key]
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  deletion_protection = false

  template {
    service_account                  = google_service_account.function[each.key].email
    timeout                          = "${var.relay_timeout_seconds}s"
    max_instance_request_concurrency = var.relay_concurrency
    scaling {
      min_instance_count = var.relay_min_instances
      max_instance_count = var.relay_max_instances
    }
    containers {
      image = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}/${local.resource_names[each.key]}:${var.image_tag}"
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "1"
          memory = "1Gi"
        }
        # The doorbell subscription is read between requests: keep the CPU.
        cpu_idle          = false
        startup_cpu_boost = true
      }
      dynamic "env" {
        for_each = merge(local.common_env, try(each.value.env, {}), {
          # A stream ends itself, resumably, a minute before Cloud Run would cut it.
          VV_STREAM_MAX_SECONDS = tostring(var.relay_timeout_seconds - 60)
        })
        content {
          name  = env.key
          value = env.value
        }
      }
      dynamic "env" {
        for_each = toset(local.function_access[each.key].secrets)
        content {
          name = local.secrets[env.value].env
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secret[env.value].secret_id
              version = "latest"
            }
          }
        }
      }
      startup_probe {
        tcp_socket {
          port = 8080
        }
      }
    }
  }

  depends_on = [
    google_project_iam_member.firestore,
    google_secret_manager_secret_iam_member.function,
  ]
}

# Public behind the load balancer only (ingress); the stream checks the API key itself.
resource "google_cloud_run_v2_service_iam_member" "public_service" {
  for_each = local.asgi_services
  name     = google_cloud_run_v2_service.service[each.key].name
  location = var.region
  role     = "roles/run.invoker"
  member   = "allUsers"
}
