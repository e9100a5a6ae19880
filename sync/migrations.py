"""Schema versions and migrations: a store is created at the newest schema or moved there in one transaction.

A new store gets every table as the models define them and is stamped with
the newest version. An older store runs each pending migration in order,
all inside one transaction, so an interruption (an error, a kill, a power
cut) leaves the old schema or the new one, never a mix. SQLite and
PostgreSQL both roll back DDL with the transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from peewee import Database, Model

from sync.models import RECORD_MODELS, SchemaMigration, database_proxy
from sync.reference import REFERENCE_MODELS

log = logging.getLogger(__name__)

MigrationStep = Callable[[Database], None]


@dataclass(frozen=True)
class Migration:
    """Moves one component's schema from ``version - 1`` to ``version``."""

    version: int
    description: str
    apply: MigrationStep


@dataclass(frozen=True)
class Component:
    """A set of tables with its own schema version (the station store, the server's extra tables)."""

    name: str
    models: Sequence[type[Model]]
    # Migrations from the first released schema (version 1) on, in order.
    migrations: Sequence[Migration]

    @property
    def latest_version(self) -> int:
        return max([1, *(m.version for m in self.migrations)])


# Version 1 is the first released schema; later versions add migrations here.
STORE = Component("store", [*RECORD_MODELS, *REFERENCE_MODELS], migrations=[])


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release of this software."""


def current_version(db: Database, component: str) -> int | None:
    """Return a component's schema version in a database, or None if it has none yet."""
    if not db.table_exists(SchemaMigration._meta.table_name):
        return None
    row = (
        SchemaMigration.select(SchemaMigration.version)
        .where(SchemaMigration.component == component)
        .order_by(SchemaMigration.version.desc())
        .first()
    )
    return None if row is None else int(row.version)


def migrate(db: Database, component: Component = STORE) -> tuple[int | None, int]:
    """Create or upgrade a component's tables; return (version before, version after).

    Binds the models to `db`, then runs in one transaction on the calling
    connection. Raises SchemaTooNew when the database is ahead of this software.
    """
    database_proxy.initialize(db)
    with db.atomic():
        db.create_tables([SchemaMigration], safe=True)
        before = current_version(db, component.name)
        latest = component.latest_version
        if before is None:
            db.create_tables(list(component.models), safe=True)
            _stamp(component.name, latest)
            log.info("Created schema %s version %d", component.name, latest)
            return None, latest
        if before > latest:
            raise SchemaTooNew(
                f"the database has {component.name} schema version {before}, newer than version {latest} "
                "that this release knows; upgrade Powder Lineage"
            )
        for migration in component.migrations:
            if migration.version <= before:
                continue
            log.info("Migrating %s schema to version %d: %s", component.name, migration.version, migration.description)
            migration.apply(db)
            _stamp(component.name, migration.version)
    return before, latest


def _stamp(component: str, version: int) -> None:
    SchemaMigration.insert(component=component, version=version, applied_utc_us=time.time_ns() // 1000).execute()
