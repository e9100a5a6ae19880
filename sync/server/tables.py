"""The server's own tables beside the shared event records: stations, arrival order, flags, receipt key.

They form the ``server`` schema component, versioned apart from the station
store's tables, which the server uses unchanged.
"""

from __future__ import annotations

from peewee import BigAutoField, BigIntegerField, CharField, FloatField, Model, TextField

from sync.migrations import Component
from sync.models import BaseModel


class StationAccount(BaseModel):
    """A station allowed to sync: the SHA-256 of its token, never the token itself."""

    station_id = CharField(max_length=64, primary_key=True)
    token_hash = CharField(max_length=64, unique=True)
    enrolled_utc_us = BigIntegerField()
    revoked_utc_us = BigIntegerField(null=True)
    last_seen_utc_us = BigIntegerField(null=True)
    # Events of this station the server holds, kept up to date by each batch.
    events_held = BigIntegerField(default=0)
    # Seconds the station's clock was ahead of the server's at its last batch.
    last_clock_offset_s = FloatField(null=True)

    class Meta:
        table_name = "station_account"


class Arrival(BaseModel):
    """The order in which the server committed events: ``position`` is the pull cursor."""

    position = BigAutoField()
    event_id = CharField(max_length=36, unique=True)
    station_id = CharField(max_length=64, index=True)

    class Meta:
        table_name = "arrival"


class StationFlag(BaseModel):
    """Something wrong seen on arrival: a gap, a fork, a conflict, a drifting clock.

    Gap flags are closed (``closed_utc_us`` set) when the missing events arrive;
    the others stay as a record of what happened.
    """

    id = BigAutoField()
    station_id = CharField(max_length=64, index=True)
    code = CharField(max_length=16)
    event_id = CharField(max_length=36, null=True)
    seq = BigIntegerField(null=True)
    # For a gap: the last missing sequence number (``seq`` is the first).
    seq_end = BigIntegerField(null=True)
    detail = TextField()
    # For a conflict or a fork: the rejected event as received (canonical JSON).
    received = TextField(null=True)
    raised_utc_us = BigIntegerField()
    closed_utc_us = BigIntegerField(null=True)

    class Meta:
        table_name = "station_flag"


class ServerSecret(BaseModel):
    """Secrets the server makes itself, such as the receipt signing key (hex)."""

    name = CharField(max_length=32, primary_key=True)
    value = TextField()

    class Meta:
        table_name = "server_secret"


SERVER_MODELS: list[type[Model]] = [StationAccount, Arrival, StationFlag, ServerSecret]

# Version 1 is the first released server schema; later versions add migrations here.
SERVER = Component("server", SERVER_MODELS, migrations=[])
