"""The template tracking store: migrated once per run, copied for every scenario.

Migrating a fresh sqlite store takes seconds; copying a migrated one takes
milliseconds. The template is created in a forked child (so no database
connection is ever shared across ``fork``), and the store code is warmed in
the runner before the first scenario forks.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from harness.runner.sandbox import fork_run, output_of


@dataclass
class Store:
    """A migrated template sqlite store, copied for every scenario."""

    template_dir: Path

    @property
    def db(self) -> Path:
        return self.template_dir / "mlflow.db"

    def copy_to(self, work_dir: Path) -> str:
        """Copy the store into ``work_dir``, pointing its artifact locations there; its URI."""
        target = work_dir / "mlflow.db"
        shutil.copyfile(self.db, target)
        with sqlite3.connect(target) as conn:
            conn.execute(
                "UPDATE experiments SET artifact_location = replace(artifact_location, ?, ?)",
                (str(self.template_dir), str(work_dir)),
            )
        return f"sqlite:///{target}"


def prepare_store(base: Path, timeout: float = 600.0) -> Store:
    """Create and migrate the template store in a child process."""
    template = base / "template"
    template.mkdir(parents=True)

    def init() -> None:
        uri = f"sqlite:///{template / 'mlflow.db'}"
        os.environ["MLFLOW_TRACKING_URI"] = uri
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        client.search_experiments()
        client.search_registered_models()

    outcome, detail = fork_run(init, template, timeout)
    if outcome != "ok" or not (template / "mlflow.db").exists():
        raise RuntimeError(
            f"could not create the sqlite tracking store ({outcome}: {detail}):\n" + output_of(template)
        )
    return Store(template)


def warm_store_code(store: Store, base: Path) -> None:
    """Open a throwaway copy of the store here, once, before any fork.

    The first store a process opens pays for importing the SQLAlchemy store
    modules and loading the schema-migration scripts (seconds on a small
    machine); later stores open in ~50 ms. Doing it in the parent means every
    forked scenario starts warm. Every database connection is closed again
    before forking (a sqlite connection must never cross ``fork``), and the
    copy is removed; a failure here only costs speed.
    """
    import gc

    warm = base / "warm"
    warm.mkdir()
    try:
        uri = store.copy_to(warm)
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        client.search_experiments()
        client.search_registered_models()
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        pass
    finally:
        try:
            from sqlalchemy.engine import Engine

            for obj in gc.get_objects():
                if isinstance(obj, Engine):
                    obj.dispose()
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(warm, ignore_errors=True)
