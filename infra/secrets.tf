# Secrets exist here as containers only: their values are added outside Terraform
# (README, Cloud Build's "secrets" step), so no secret is ever in code or state.

locals {
  secrets = {
    preview_link = { id = "${var.name_prefix}-preview-link-secret", env = "VV_PREVIEW_LINK_SECRET" }
    stream_token = { id = "${var.name_prefix}-stream-token-secret", env = "VV_STREAM_TOKEN_SECRET" }
  }
}

resource "google_secret_manager_secret" "secret" {
  for_each  = local.secrets
  secret_id = each.value.id
  replication {
    auto {}
  }
  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_iam_member" "function" {
  for_each  = local.secret_grants
  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function[each.value.function].email}"
}
