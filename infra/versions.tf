# The whole system on Google Cloud: see README "Deploy to Google Cloud" and docs/decisions/050.
terraform {
  required_version = ">= 1.6"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.20"
    }
  }
  # State lives in a bucket made once by hand; `terraform init -backend-config=bucket=...`.
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}

data "google_project" "this" {
  project_id = var.project_id
}
