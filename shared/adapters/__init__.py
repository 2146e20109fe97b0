"""Adapters: the only modules that import vendor libraries. Each implements a port."""
