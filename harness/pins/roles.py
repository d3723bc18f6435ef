"""How pins choose the matrix's baseline and candidate (``Config.versions``, ``baseline``, ``pinned``).

:func:`with_pins` is what ``load_config`` applies for ``MLFLOW_COMPAT_BASELINE_FROM``
/ ``MLFLOW_COMPAT_CANDIDATE_FROM`` and what ``--baseline-from`` / ``--candidate-from``
feed, so every command and session sees the same two releases.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from harness.pins import read_pin, resolve_pin

if TYPE_CHECKING:
    from harness.settings import Config


def with_pins(
    config: Config,
    baseline_from: Sequence[str | Path] = (),
    candidate_from: Sequence[str | Path] = (),
    *,
    releases: Callable[[], Sequence[str]] | None = None,
    options: tuple[str, str] = ("--baseline-from", "--candidate-from"),
    baseline_cwd: Path | None = None,
) -> Config:
    """``config`` with the baseline and/or candidate chosen by the mlflow pin in dependency files.

    Both given: ``versions`` is exactly (baseline, candidate), or one version
    when both pins come to the same release. Only ``baseline_from``: the pin is
    the baseline and the configured versions are compared with it. Only
    ``candidate_from``: the configured baseline against the pin. An exact pin
    is its release; a range becomes its newest release as the version spec
    (the session is ``mlflow-3.1.4``) and the environment walks the older ones
    in the range when it does not install (``Config.release_candidates``).
    ``releases()`` lists the index (default: ``harness.versions``, cached);
    it is only asked for a range. ``baseline_cwd`` is where relative baseline
    sources are (default: the current directory).
    """
    if not baseline_from and not candidate_from:
        return config
    if releases is None:
        from harness import versions

        cache = config.results_dir / ".cache"
        releases = functools.cache(lambda: versions.list_releases(cache))
    base = cand = None
    if baseline_from:
        base = resolve_pin(read_pin(baseline_from, option=options[0], cwd=baseline_cwd), "baseline", releases)
    if candidate_from:
        cand = resolve_pin(read_pin(candidate_from, option=options[1]), "candidate", releases)
    if base and cand:
        chosen = (base.spec,) if base.spec == cand.spec else (base.spec, cand.spec)
        baseline = base.spec
    elif base:
        chosen = (base.spec, *(v for v in config.versions if v != base.spec))
        baseline = base.spec
    else:
        baseline = config.baseline
        chosen = (baseline,) if cand.spec == baseline else (baseline, cand.spec)
    pinned = tuple(p for p in (base, cand) if p is not None)
    return dataclasses.replace(config, versions=chosen, baseline=baseline, pinned=pinned)


def pin_sources(
    given: Sequence[str | Path], env: Mapping[str, str], variable: str, option: str
) -> tuple[list[str], str]:
    """(sources, how to name them in messages): the command line wins over the environment
    variable (several sources: commas or spaces, as for MLFLOW_COMPAT_VERSIONS)."""
    from harness.specs import split_specs

    if given:
        return [str(s) for s in given], option
    return split_specs(env.get(variable, "")), variable
