"""Builders used by the pages: pure functions where possible (forms -> configs, metrics -> figures)."""
