"""Routes and request models of the playground listing and searches."""
