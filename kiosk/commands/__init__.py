"""Subcommands of `lineage`, one module per concept; each exposes register(subparsers)."""
