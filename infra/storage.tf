# Uploaded media, rendered previews, function bundles, and the access logs of all three.

resource "google_storage_bucket" "access_logs" {
  #checkov:skip=CKV_GCP_62:This bucket is the access-log sink of the others; logging it would loop.
  name                        = "${var.project_id}-${var.name_prefix}-access-logs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  versioning {
    enabled = true
  }
  lifecycle_rule {
    condition {
      age = 365
    }
    action {
      type = "Delete"
    }
  }
  depends_on = [google_project_service.api]
}

resource "google_storage_bucket" "media" {
  name                        = local.media_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }
  # A replaced upload keeps its previous version for a week, then it goes.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 7
    }
    action {
      type = "Delete"
    }
  }
  depends_on = [google_project_service.api]
}

resource "google_storage_bucket" "derived" {
  name                        = local.derived_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }
  # Previews are made again on demand: keep them only for a while.
  lifecycle_rule {
    condition {
      age = var.derived_retention_days
    }
    action {
      type = "Delete"
    }
  }
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 1
    }
    action {
      type = "Delete"
    }
  }
  depends_on = [google_project_service.api]
}

resource "google_storage_bucket" "sources" {
  name                        = "${var.project_id}-${var.name_prefix}-function-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }
  lifecycle_rule {
    condition {
      age = 90
    }
    action {
      type = "Delete"
    }
  }
  depends_on = [google_project_service.api]
}

# Each finished upload to the media bucket becomes a message on media-uploads, which the
# processing worker's push subscription delivers.
data "google_storage_project_service_account" "gcs" {
  depends_on = [google_project_service.api]
}

resource "google_pubsub_topic_iam_member" "gcs_notifies_uploads" {
  topic  = google_pubsub_topic.topic["media_uploads_topic"].id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

resource "google_storage_notification" "media_uploads" {
  bucket         = google_storage_bucket.media.name
  topic          = google_pubsub_topic.topic["media_uploads_topic"].id
  payload_format = "JSON_API_V1"
  event_types    = ["OBJECT_FINALIZE"]
  depends_on     = [google_pubsub_topic_iam_member.gcs_notifies_uploads]
}
