"""Operator commands (``python -m shared.cli.<name>``)."""
