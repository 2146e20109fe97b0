# The developer console (console/, static files) from a bucket behind the same load balancer
# as the API, under /console/: one origin, so the page needs no CORS (docs/decisions/060).

locals {
  console_dir   = "${path.module}/../console"
  console_files = fileset(local.console_dir, "**")
  content_types = {
    html = "text/html; charset=utf-8"
    js   = "text/javascript; charset=utf-8"
    css  = "text/css; charset=utf-8"
    svg  = "image/svg+xml"
    png  = "image/png"
    ico  = "image/x-icon"
    json = "application/json"
  }
}

resource "google_storage_bucket" "console" {
  #checkov:skip=CKV_GCP_114:The console is a public static page by design; it holds no data and no key.
  #checkov:skip=CKV_GCP_62:Requests to the console are logged by the load balancer (log_config).
  name                        = "${var.project_id}-${var.name_prefix}-console"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"
  versioning {
    enabled = true
  }
  website {
    main_page_suffix = "index.html"
  }
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
    }
    action {
      type = "Delete"
    }
  }
  depends_on = [google_project_service.api]
}

resource "google_storage_bucket_iam_member" "console_public" {
  #checkov:skip=CKV_GCP_28:The console's static files are public by design; the API key stays in the browser.
  bucket = google_storage_bucket.console.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_storage_bucket_object" "console" {
  for_each      = local.console_files
  name          = "console/${each.value}"
  bucket        = google_storage_bucket.console.name
  source        = "${local.console_dir}/${each.value}"
  content_type  = lookup(local.content_types, reverse(split(".", each.value))[0], "application/octet-stream")
  cache_control = "no-cache"
}

resource "google_compute_backend_bucket" "console" {
  name        = "${var.name_prefix}-console"
  bucket_name = google_storage_bucket.console.name
  enable_cdn  = false
}
