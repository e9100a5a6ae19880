"""The central server: HTTP API over the shared records (see `sync.server.cli` for `lineage-server`)."""
