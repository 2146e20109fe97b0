"""In-memory fakes of the project's ports, for unit tests and benches: each is held to the same
contract tests as its real adapter (``tests/contracts``). They live with the tests, not in
``shared/``, so no deployable can reach them (docs/decisions/053)."""
