"""Version specs as users write them: a family (``2.9``, ``3``) or an exact release (``3.1.4``).

Its own module because the configuration, the release resolver and the pins
all read specs, and none of them should import the others for it.
"""

from __future__ import annotations

import re

from harness.errors import ConfigError

SPEC_RE = re.compile(r"^\d+(\.\d+){0,2}$")


def split_specs(text: str) -> list[str]:
    """Split ``"2.9 3.1.4"`` or ``"2.9,3"`` into specs."""
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


def validate_spec(spec: str, where: str) -> str:
    """``spec`` stripped, or a one-line ``ConfigError`` naming ``where`` it came from."""
    spec = str(spec).strip()
    if not SPEC_RE.match(spec):
        raise ConfigError(
            f"{where}: {spec!r} is not a version spec; use a family like '2.9' or '3', "
            "or an exact release like '3.1.4'"
        )
    return spec
