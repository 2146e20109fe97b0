variable "project_id" {
  type        = string
  description = "The Google Cloud project to deploy into."
}

variable "region" {
  type        = string
  default     = "us-central1"
  description = "Region of the functions, the relay, the buckets and the load balancer's NEGs."
}

variable "firestore_location" {
  type        = string
  default     = "nam5"
  description = "Firestore location (a multi-region such as nam5 or eur3, or a region)."
}

variable "name_prefix" {
  type        = string
  default     = "vv"
  description = "Prefix of every resource name this configuration creates."
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,8}$", var.name_prefix))
    error_message = "name_prefix: 1-9 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "domain" {
  type        = string
  description = "The API's host name (e.g. api.example.com); point its DNS A record at the load_balancer_ip output."
}

variable "media_bucket_name" {
  type        = string
  default     = ""
  description = "Bucket of uploaded media (globally unique); empty means <project_id>-<prefix>-media."
}

variable "derived_bucket_name" {
  type        = string
  default     = ""
  description = "Bucket of rendered previews (globally unique); empty means <project_id>-<prefix>-derived."
}

variable "derived_retention_days" {
  type        = number
  default     = 30
  description = "Rendered previews are deleted after this many days (they are re-rendered on demand)."
}

variable "event_retention_days" {
  type        = number
  default     = 7
  description = "How long processing events can be replayed (the TTL policy deletes them after)."
}

variable "image_tag" {
  type        = string
  default     = "latest"
  description = "Tag of the ASGI services' images in Artifact Registry (Cloud Build passes its build id)."
}

variable "relay_timeout_seconds" {
  type        = number
  default     = 3600
  description = "Cloud Run request timeout of the SSE relay (at most 3600); streams end themselves a minute before."
}

variable "relay_concurrency" {
  type        = number
  default     = 1000
  description = "Open streams per relay instance (one event loop holds them all; Cloud Run allows 1000)."
}

variable "relay_min_instances" {
  type        = number
  default     = 1
  description = "Relay instances kept warm, so a reconnecting client never waits for a cold start."
}

variable "relay_max_instances" {
  type        = number
  default     = 10
  description = "Upper bound of relay instances."
}

variable "function_max_instances" {
  type        = number
  default     = 20
  description = "Upper bound of instances per function (caps cost and Firestore load)."
}

variable "log_level" {
  type        = string
  default     = "INFO"
  description = "Log level of every function and service."
}

variable "notification_channels" {
  type        = list(string)
  default     = []
  description = "Notification channel ids (projects/<p>/notificationChannels/<id>) every alert notifies; none by default."
}

variable "runbook_base_url" {
  type        = string
  default     = ""
  description = "Where docs/runbooks/ is browsable (e.g. the repository's blob URL); alerts link <this>/<page>.md. Empty: the repository path."
}

variable "bearer_issuers" {
  type = list(object({
    issuer        = string
    jwks_url      = string
    audiences     = optional(list(string), [])
    subject_claim = optional(string, "sub")
  }))
  default     = []
  description = "Issuers of `Authorization: Bearer` JWTs (WorkOS, Firebase) that every function and the relay trust; none by default (API keys only). `issuer` is the exact `iss`; `audiences` empty means tokens must carry no `aud`. See docs/decisions/007-bearer-tokens.md."
  validation {
    condition     = alltrue([for i in var.bearer_issuers : can(regex("^https://[^/]+", i.jwks_url))])
    error_message = "bearer_issuers: every jwks_url must be an https URL."
  }
  validation {
    condition     = length(distinct([for i in var.bearer_issuers : i.issuer])) == length(var.bearer_issuers)
    error_message = "bearer_issuers: each issuer may appear once."
  }
}
