# The Firestore database, its composite indexes (infra/firestore.indexes.json, the format of
# `firebase firestore:indexes`), and TTL policies on every collection with `expires_at`.

locals {
  indexes_file = "${path.module}/firestore.indexes.json"
  # Both branches are strings: a conditional's tuple results must have the same length.
  indexes = jsondecode(fileexists(local.indexes_file) ? file(local.indexes_file) : "{\"indexes\": []}").indexes
  # A stable key per index: collection group, scope and its fields in order.
  indexes_by_key = {
    for index in local.indexes :
    join(" ", concat(
      [index.collectionGroup, try(index.queryScope, "COLLECTION")],
      [for f in index.fields : "${f.fieldPath}:${try(f.order, f.arrayConfig, "VECTOR")}"]
    )) => index
  }
}

resource "google_firestore_database" "main" {
  name                              = "(default)"
  location_id                       = var.firestore_location
  type                              = "FIRESTORE_NATIVE"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  deletion_policy                   = "ABANDON"
  depends_on                        = [google_project_service.api]
}

resource "google_firestore_index" "composite" {
  for_each    = local.indexes_by_key
  database    = google_firestore_database.main.name
  collection  = each.value.collectionGroup
  query_scope = try(each.value.queryScope, "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)
      dynamic "vector_config" {
        for_each = can(fields.value.vectorConfig) ? [fields.value.vectorConfig] : []
        content {
          dimension = vector_config.value.dimension
          flat {}
        }
      }
    }
  }
}

resource "google_firestore_field" "ttl" {
  for_each   = toset(local.ttl_collections)
  database   = google_firestore_database.main.name
  collection = each.value
  field      = "expires_at"
  ttl_config {}
  # No single-field index on a TTL timestamp: nothing queries it, and it would hotspot.
  index_config {}
}

# Fields whose values only grow, on collections written at the event rate (decision 046): their
# automatic single-field indexes would put every write at the same end of one index, which caps
# the collection at about 500 writes/s (cloud.google.com/firestore/docs/best-practices). Nothing
# queries them alone; the composite index (user_id, committed_at) that serves the relay starts
# with user_id, so its writes spread over every user's range. expires_at is exempted by the TTL
# policy above. tests/infra/test_firestore_exemptions.py checks both halves.
locals {
  unindexed_fields = {
    "processing_events.committed_at" = { collection = "processing_events", field = "committed_at" }
    "processing_events.created_at"   = { collection = "processing_events", field = "created_at" }
  }
}

resource "google_firestore_field" "unindexed" {
  for_each   = local.unindexed_fields
  database   = google_firestore_database.main.name
  collection = each.value.collection
  field      = each.value.field
  index_config {}
}
