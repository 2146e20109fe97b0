# The external HTTPS load balancer: /api/v2/... paths to functions and the relay, with the URL
# map generated from routes.json. As infra/local/routes.py function_for_path: routing is by
# path alone and literal paths win over templates (fewer placeholders first, then by path).

locals {
  endpoint_paths = distinct([for e in local.routes.endpoints : e.path])
  path_functions = { for e in local.routes.endpoints : e.path => e.function... }
  ordered_paths = [
    for key in sort([
      for p in local.endpoint_paths : format("%03d%s", length(regexall("\\{", p)), p)
    ]) : substr(key, 3, -1)
  ]
  url_rules = [
    for i, p in local.ordered_paths : {
      priority = i + 1
      path     = p
      function = local.path_functions[p][0]
      template = strcontains(p, "{")
    }
  ]
  # Paths no rule matches go to a function, whose router answers 404 in the error envelope.
  default_backend = sort(keys(local.http_functions))[0]
}

resource "google_compute_global_address" "api" {
  name       = "${var.name_prefix}-api"
  depends_on = [google_project_service.api]
}

resource "google_compute_managed_ssl_certificate" "api" {
  name = "${var.name_prefix}-api"
  managed {
    domains = [var.domain]
  }
}

resource "google_compute_ssl_policy" "api" {
  name            = "${var.name_prefix}-api"
  profile         = "RESTRICTED"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_region_network_endpoint_group" "function" {
  for_each              = local.http_functions
  name                  = "${local.resource_names[each.key]}-neg"
  region                = var.region
  network_endpoint_type = "SERVERLESS"
  cloud_function {
    function = google_cloudfunctions2_function.function[each.key].name
  }
}

resource "google_compute_region_network_endpoint_group" "service" {
  for_each              = local.asgi_services
  name                  = "${local.resource_names[each.key]}-neg"
  region                = var.region
  network_endpoint_type = "SERVERLESS"
  cloud_run {
    service = google_cloud_run_v2_service.service[each.key].name
  }
}

resource "google_compute_backend_service" "backend" {
  for_each              = local.routed
  name                  = "${local.resource_names[each.key]}-backend"
  protocol              = "HTTPS"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  backend {
    group = each.value.kind == "asgi" ? google_compute_region_network_endpoint_group.service[each.key].id : google_compute_region_network_endpoint_group.function[each.key].id
  }
  log_config {
    enable      = true
    sample_rate = 1
  }
}

resource "google_compute_url_map" "api" {
  name            = "${var.name_prefix}-api"
  default_service = google_compute_backend_service.backend[local.default_backend].id

  host_rule {
    hosts        = [var.domain]
    path_matcher = "api"
  }

  path_matcher {
    name            = "api"
    default_service = google_compute_backend_service.backend[local.default_backend].id

    dynamic "route_rules" {
      for_each = local.url_rules
      content {
        priority = route_rules.value.priority
        service  = google_compute_backend_service.backend[route_rules.value.function].id
        dynamic "match_rules" {
          for_each = route_rules.value.template ? [] : [route_rules.value.path, "${route_rules.value.path}/"]
          content {
            full_path_match = match_rules.value
          }
        }
        dynamic "match_rules" {
          for_each = route_rules.value.template ? [route_rules.value.path] : []
          content {
            path_template_match = match_rules.value
          }
        }
      }
    }

    # The developer console: /console redirects to /console/, whose files a bucket serves.
    route_rules {
      priority = 100000
      match_rules {
        full_path_match = "/console"
      }
      url_redirect {
        path_redirect          = "/console/"
        redirect_response_code = "PERMANENT_REDIRECT"
        strip_query            = false
      }
    }
    route_rules {
      priority = 100001
      service  = google_compute_backend_bucket.console.id
      match_rules {
        prefix_match = "/console/"
      }
    }
  }
}

resource "google_compute_target_https_proxy" "api" {
  name             = "${var.name_prefix}-api"
  url_map          = google_compute_url_map.api.id
  ssl_certificates = [google_compute_managed_ssl_certificate.api.id]
  ssl_policy       = google_compute_ssl_policy.api.id
}

resource "google_compute_global_forwarding_rule" "https" {
  name                  = "${var.name_prefix}-api-https"
  ip_address            = google_compute_global_address.api.id
  port_range            = "443"
  target                = google_compute_target_https_proxy.api.id
  load_balancing_scheme = "EXTERNAL_MANAGED"
}

# Plain HTTP only redirects to HTTPS.
resource "google_compute_url_map" "redirect" {
  name = "${var.name_prefix}-api-redirect"
  default_url_redirect {
    https_redirect         = true
    strip_query            = false
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
  }
}

resource "google_compute_target_http_proxy" "redirect" {
  name    = "${var.name_prefix}-api-redirect"
  url_map = google_compute_url_map.redirect.id
}

resource "google_compute_global_forwarding_rule" "http" {
  name                  = "${var.name_prefix}-api-http"
  ip_address            = google_compute_global_address.api.id
  port_range            = "80"
  target                = google_compute_target_http_proxy.redirect.id
  load_balancing_scheme = "EXTERNAL_MANAGED"
}
