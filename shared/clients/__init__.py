"""Python clients for this project's own APIs."""
