"""Where mlflow-compat itself lives, and how per-version environments import it.

Two places matter and they are not the same directory:

* ``HOME``, the directory the ``harness`` and ``scenarios`` packages are
  imported from: this repository's checkout, or the ``site-packages`` of the
  environment mlflow-compat was ``pip install``-ed into. Package data (the
  shipped defaults, the HTML templates, the packaged nox sessions) is read
  from here.
* the project root (``Config.root``): the user's repository, where the
  configuration, ``results/`` and the environments (``.nox/``) are. See
  ``harness.config``.

Every per-version environment runs ``python -m harness run`` with MLflow and
its own libraries, never the tool's: the harness reaches it through
``PYTHONPATH``. From a checkout that is the checkout itself (it holds the two
packages and no installed distribution). From an installed mlflow-compat it
cannot be ``site-packages``, which would put jinja2, nox, griffe, a second
``packaging`` ... in front of the environment's own, so :func:`import_path`
makes a directory that holds only links to the two packages. Standard library
only: the noxfile, the per-version environments and the CLI all import it.
"""

from __future__ import annotations

import os
from pathlib import Path

#: the directory holding the ``harness`` and ``scenarios`` packages
HOME = Path(__file__).resolve().parent.parent
#: the shipped defaults (``[tool.mlflow-compat]`` as a pyproject.toml writes it)
DEFAULTS_FILE = Path(__file__).resolve().parent / "defaults.toml"
#: the packaged nox sessions (``python -m nox -f NOXFILE``)
NOXFILE = Path(__file__).resolve().parent / "noxfile.py"
#: the packages a per-version environment imports from the tool
PACKAGES = ("harness", "scenarios")
#: under the environments directory: the links of :func:`import_path`
IMPORT_DIR = "mlflow-compat-import"


def is_checkout() -> bool:
    """True when the harness runs from a source checkout (``HOME`` is not a ``site-packages``)."""
    return HOME.name not in ("site-packages", "dist-packages")


def import_path(envs_dir: Path) -> str:
    """The ``PYTHONPATH`` entry through which a per-version environment imports the harness.

    A checkout is used as it is. An installed harness gets ``<envs_dir>/mlflow-compat-import``:
    symbolic links to its ``harness`` and ``scenarios`` packages and nothing else, refreshed
    on every call (cheap), so an upgraded mlflow-compat is what the next run imports.
    """
    if is_checkout():
        return str(HOME)
    target = Path(envs_dir) / IMPORT_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in PACKAGES:
        link, source = target / name, HOME / name
        if link.is_symlink() and os.readlink(link) == str(source):
            continue
        # a new link renamed over the old one: two sessions doing this at once both succeed
        fresh = target / f".{name}.{os.getpid()}"
        fresh.unlink(missing_ok=True)
        fresh.symlink_to(source, target_is_directory=True)
        os.replace(fresh, link)
    return str(target)
