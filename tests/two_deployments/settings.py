"""Settings for one of the two loopback deployments in the two-deployment test.

The project's settings, read from the same environment (CME_VAR_DIR gives each deployment its own
SQLite file and cache), with one change: tables are created straight from the models rather than
by replaying every migration, which takes a minute on a loaded machine. The schema is the same;
`makemigrations --check` in CI guards that the migrations match the models.
"""

from __future__ import annotations

from typing import Any

from cme.settings import *  # noqa: F403


class _NoMigrations(dict[str, Any]):
    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> None:
        return None


MIGRATION_MODULES = _NoMigrations()
