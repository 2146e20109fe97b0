output "api_base_url" {
  description = "Base URL of the API (once DNS points the domain at load_balancer_ip and the certificate is active)."
  value       = "https://${var.domain}/api/v2"
}

output "load_balancer_ip" {
  description = "Create a DNS A record for var.domain with this address."
  value       = google_compute_global_address.api.address
}

output "function_urls" {
  description = "Direct URLs of the functions (ingress admits only the load balancer and Pub/Sub)."
  value       = { for name, f in google_cloudfunctions2_function.function : name => f.service_config[0].uri }
}

output "service_urls" {
  description = "Direct URLs of the Cloud Run services (the relay)."
  value       = { for name, s in google_cloud_run_v2_service.service : name => s.uri }
}

output "media_bucket" {
  description = "Upload media here (gs://<bucket>/<user_id>/...); finished uploads notify the processing worker."
  value       = google_storage_bucket.media.name
}

output "derived_bucket" {
  description = "Rendered previews (deleted after var.derived_retention_days)."
  value       = google_storage_bucket.derived.name
}

output "function_service_accounts" {
  description = "The service account of each function."
  value       = { for name, sa in google_service_account.function : name => sa.email }
}

output "image_repository" {
  description = "Where Cloud Build pushes the ASGI services' images."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}
