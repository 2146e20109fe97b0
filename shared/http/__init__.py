"""HTTP plumbing written once: routing, auth, validation, errors, request ids."""
