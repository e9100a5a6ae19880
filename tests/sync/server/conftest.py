"""Server test fixtures (defined in fixtures.py so client tests can import them too)."""

from tests.sync.server.fixtures import backend, server, station_home

__all__ = ["backend", "server", "station_home"]
