"""Fakes of the external APIs for tests: recorded data and a local HTTP server."""
