"""``results/matrix.json``: the whole analysis as JSON, for tools and CI."""

from __future__ import annotations

import json

from harness.analysis.model import Analysis


def render(analysis: Analysis) -> str:
    data = {
        **analysis.matrix.to_dict(),
        "guidance": analysis.guidance.to_dict(),
        "cross": analysis.cross_dicts(),
        "library_warnings": [g.to_dict() for g in analysis.library_warnings],
        "api": [s.to_dict() for s in analysis.api],
        "bisect": [r.to_dict() for r in analysis.bisect],
    }
    return json.dumps(data, indent=2, default=str) + "\n"
