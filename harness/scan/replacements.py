"""What to write instead: replacements only, never per-version outcomes.

Two sources:

* the idiom pairs of the run files (``replaced_by=`` on a scenario, and the
  ``code`` of the idiom that replaces it), for a finding whose API a scenario
  covers;
* a small curated table of MLflow's documented renames and successors. A
  keyword entry with ``rename`` is a *safe keyword rename* ``--fix`` may apply:
  same value, new name. Whether the new name exists on the baseline is not
  written here: ``--fix`` reads it from the rollback-direction API records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from harness.results.runs import RunFile

KEYWORD = "keyword"
MEMBER = "member"


@dataclass(frozen=True)
class Curated:
    #: the last component of the callee (the class for a constructor); None: any callee
    function: str | None
    #: the keyword, or the attribute/function name
    name: str
    kind: str  # KEYWORD or MEMBER
    text: str
    rename: str | None = None


CURATED: tuple[Curated, ...] = (
    Curated("MetricThreshold", "higher_is_better", KEYWORD, "`greater_is_better=`", rename="greater_is_better"),
    Curated(None, "higher_is_better", MEMBER, "`.greater_is_better`"),
    Curated(None, "run_uuid", MEMBER, "`.run_id`"),
    Curated("log_model", "artifact_path", KEYWORD, "`name=`", rename="name"),
    Curated("evaluate", "validation_thresholds", KEYWORD,
            "`mlflow.validate_evaluation_results(validation_thresholds=..., candidate_result=<evaluate's result>)` "
            "after `evaluate`"),
    Curated(None, "transition_model_version_stage", MEMBER,
            "model aliases: `client.set_registered_model_alias(name, alias, version)`, "
            "loaded as `models:/<name>@<alias>`"),
    Curated(None, "get_latest_versions", MEMBER, "model aliases: `client.get_model_version_by_alias(name, alias)`"),
    Curated(None, "current_stage", MEMBER, "model aliases (`client.get_model_version_by_alias(name, alias)`)"),
)


def curated(api: str, name: str | None, keyword: bool) -> Curated | None:
    """The curated entry for keyword ``name`` of ``api`` (``keyword``) or for ``api``'s own name."""
    last = api.rsplit(".", 1)[-1]
    for entry in CURATED:
        if keyword and entry.kind == KEYWORD and entry.name == name and entry.function in (None, last):
            return entry
        if not keyword and entry.kind == MEMBER and entry.name == (name or last):
            return entry
    return None


class Idioms:
    """``replaced_by`` pairs and idiom code, as the run files recorded them."""

    def __init__(self, runs: Iterable[RunFile]):
        self.code: dict[str, str] = {}
        self.replaced_by: dict[str, str] = {}
        for run in runs:
            for cell in run.scenarios:
                if cell.code:
                    self.code.setdefault(cell.id, cell.code)
                if cell.replaced_by:
                    self.replaced_by.setdefault(cell.id, cell.replaced_by)

    def replacement(self, scenario_ids: Iterable[str]) -> str | None:
        """``replace `<old code>` with `<new code>` (idiom <id>)`` for the first covering idiom that has a successor."""
        for sid in scenario_ids:
            successor = self.replaced_by.get(sid)
            if successor and successor in self.code:
                old = self.code.get(sid)
                prefix = f"replace `{old}` with " if old else ""
                return f"{prefix}`{self.code[successor]}` (idiom {successor})"
        return None
