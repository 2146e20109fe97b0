# Topics, the push subscriptions that feed the CloudEvent functions (with dead-lettering and
# backoff: docs/decisions/050), and a subscription that holds dead letters for inspection.

locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  # As infra/local/provision.py: 5 deliveries, then the dead-letter topic; 1-60 s backoff.
  max_delivery_attempts = 5
}

resource "google_pubsub_topic" "topic" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; event payloads hold ids, not customer content.
  for_each                   = local.topics
  name                       = each.value
  message_retention_duration = "86400s"
  depends_on                 = [google_project_service.api]
}

resource "google_pubsub_subscription" "dead_letter_hold" {
  name                       = "${local.topics.dead_letter_topic}-hold"
  topic                      = google_pubsub_topic.topic["dead_letter_topic"].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  retain_acked_messages      = false
  expiration_policy {
    ttl = ""
  }
}

# Pushes authenticate with an OIDC token of this account; only it may invoke the
# CloudEvent functions.
resource "google_service_account" "pubsub_push" {
  account_id   = "${var.name_prefix}-pubsub-push"
  display_name = "Pub/Sub push to the CloudEvent functions"
}

resource "google_service_account_iam_member" "pubsub_agent_mints_push_tokens" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

resource "google_pubsub_subscription" "push" {
  for_each                   = local.event_functions
  name                       = "${local.resource_names[each.key]}-push"
  topic                      = google_pubsub_topic.topic[each.value.trigger].id
  ack_deadline_seconds       = min(600, local.function_runtime[each.key].timeout)
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
  push_config {
    push_endpoint = google_cloudfunctions2_function.function[each.key].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = google_cloudfunctions2_function.function[each.key].service_config[0].uri
    }
  }
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.topic["dead_letter_topic"].id
    max_delivery_attempts = local.max_delivery_attempts
  }
  retry_policy {
    minimum_backoff = "1s"
    maximum_backoff = "60s"
  }
  depends_on = [google_pubsub_topic_iam_member.pubsub_agent_dead_letters]
}

# Pub/Sub itself moves undeliverable messages: it must publish to the dead-letter topic and
# acknowledge on the source subscription.
resource "google_pubsub_topic_iam_member" "pubsub_agent_dead_letters" {
  topic  = google_pubsub_topic.topic["dead_letter_topic"].id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_forwards" {
  for_each     = local.event_functions
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}
