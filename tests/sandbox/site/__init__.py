"""Tests of the sandbox learning site (sandbox/site)."""
