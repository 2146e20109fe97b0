# One service account per function, holding only what that function uses.

locals {
  access_defaults = {
    buckets   = {} # bucket key ("media", "derived") => role
    publishes = [] # topic keys it publishes to
    listens   = [] # topic keys it subscribes to with subscriptions of its own (the relay)
    secrets   = [] # secret keys it reads
    signs     = false
    embeds    = false # calls Vertex AI text embeddings
  }
  # Every function reads and writes Firestore (API keys, rate limits, its records); anything
  # more is listed here. A function not listed gets Firestore only.
  access_overrides = {
    events_ingest = {
      publishes = ["dead_letter_topic", "events_doorbell_topic"]
    }
    events_relay = {
      listens = ["events_doorbell_topic"]
      secrets = ["stream_token"] # verifies the console's stream tokens
    }
    stream_tokens = {
      secrets = ["stream_token"]
    }
    # Reads uploads; renders nothing, so no grant on the derived bucket.
    processing_worker = {
      buckets   = { media = "roles/storage.objectViewer" }
      publishes = ["events_topic"]
      embeds    = true # segment metadata_text
    }
    # Signs URLs to the caller's media through IAM signBlob, as itself: no key file.
    media = {
      buckets   = { media = "roles/storage.objectViewer", derived = "roles/storage.objectUser" }
      publishes = ["events_topic"] # media.preview.ready
      secrets   = ["preview_link"]
      signs     = true
    }
    batch = {
      secrets = ["preview_link"]
    }
    playground = {
      secrets = ["preview_link"]
      embeds  = true # search queries
    }
  }
  function_access = {
    for name, f in local.all_functions :
    name => merge(local.access_defaults, lookup(local.access_overrides, name, {}))
  }

  bucket_names = {
    media   = google_storage_bucket.media.name
    derived = google_storage_bucket.derived.name
  }
  bucket_grants = merge([
    for name, access in local.function_access : {
      for bucket, role in access.buckets : "${name}/${bucket}" => { function = name, bucket = bucket, role = role }
    }
  ]...)
  topic_grants = merge([
    for name, access in local.function_access : {
      for topic in access.publishes : "${name}/${topic}" => { function = name, topic = topic }
    }
  ]...)
  listen_grants = merge([
    for name, access in local.function_access : {
      for topic in access.listens : "${name}/${topic}" => { function = name, topic = topic }
    }
  ]...)
  secret_grants = merge([
    for name, access in local.function_access : {
      for secret in access.secrets : "${name}/${secret}" => { function = name, secret = secret }
    }
  ]...)
  signers  = { for name, access in local.function_access : name => access if access.signs }
  embedders = { for name, access in local.function_access : name => access if access.embeds }
}

resource "google_service_account" "function" {
  for_each     = local.all_functions
  account_id   = substr(local.resource_names[each.key], 0, 30)
  display_name = "Function ${each.key}"
}

resource "google_project_iam_member" "firestore" {
  for_each = local.all_functions
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}

resource "google_storage_bucket_iam_member" "function" {
  for_each = local.bucket_grants
  bucket   = local.bucket_names[each.value.bucket]
  role     = each.value.role
  member   = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = local.topic_grants
  topic    = google_pubsub_topic.topic[each.value.topic].id
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

# A listener attaches its own short-lived subscription to the topic, reads it, and deletes it.
resource "google_pubsub_topic_iam_member" "listener" {
  for_each = local.listen_grants
  topic    = google_pubsub_topic.topic[each.value.topic].id
  role     = "roles/pubsub.subscriber"
  member   = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

resource "google_project_iam_custom_role" "own_subscriptions" {
  role_id     = "${replace(var.name_prefix, "-", "_")}_own_subscriptions"
  title       = "Manage own Pub/Sub subscriptions"
  description = "Create, read, consume and delete subscriptions (the relay's per-instance doorbell)."
  permissions = [
    "pubsub.subscriptions.consume",
    "pubsub.subscriptions.create",
    "pubsub.subscriptions.delete",
    "pubsub.subscriptions.get",
  ]
}

# Only on the relay's own subscriptions (shared.adapters.pubsub_doorbell.SUBSCRIPTION_PREFIX):
# never the push subscriptions that feed the worker and events ingest.
resource "google_project_iam_member" "listener_subscriptions" {
  for_each = toset([for grant in local.listen_grants : grant.function])
  project  = var.project_id
  role     = google_project_iam_custom_role.own_subscriptions.id
  member   = "serviceAccount:${google_service_account.function[each.value].email}"
  condition {
    title       = "relay-subscriptions-only"
    description = "Subscriptions named like the relay's per-instance doorbell subscriptions"
    expression  = "resource.name.startsWith(\"projects/${var.project_id}/subscriptions/relay-\")"
  }
}

# signBlob on itself only: the function can sign as its own account and no other.
resource "google_service_account_iam_member" "signs_as_itself" {
  for_each           = local.signers
  service_account_id = google_service_account.function[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Builds of the function bundles run as this account, not the default compute account.
resource "google_service_account" "builder" {
  account_id   = "${var.name_prefix}-function-builder"
  display_name = "Builds function bundles"
}

resource "google_project_iam_member" "builder" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer"])
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.builder.email}"
}

resource "google_storage_bucket_iam_member" "builder_reads_sources" {
  bucket = google_storage_bucket.sources.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.builder.email}"
}

# Text embeddings (Vertex AI predict) for the functions that embed: the worker and playground.
resource "google_project_iam_member" "embeds" {
  for_each = local.embedders
  project  = var.project_id
  role     = "roles/aiplatform.user"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}
