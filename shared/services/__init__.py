"""Use cases. They speak in domain terms and reach storage only through ports."""
