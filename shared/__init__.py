"""Common package of the VideoVector utilities: one copy travels inside every function bundle."""
