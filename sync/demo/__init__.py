"""Deterministic demo plant histories: `write_demo_history` fills a store with a realistic plant's events."""

from sync.demo.writer import DemoTargetNotEmpty, find_deep_lots, write_demo_history

__all__ = ["DemoTargetNotEmpty", "find_deep_lots", "write_demo_history"]
