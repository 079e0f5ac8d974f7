"""The hall configurations at the edge: `<data dir>/halls/<code>.yaml` read for the notice and bundle routes
and checked at startup. A hall without a (valid) file gets validators.halls.placeholder, printed visibly as
unset, and a warning in the log; never a made-up name.

Who calls it: api/cases.py (notices), api/bundle.py (the bundle cover), api/cli.py (`serve`, `halls`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.settings import Settings
from validators.halls import Hall, HallError, load_hall, placeholder

logger = logging.getLogger(__name__)


def halls_dir(settings: Settings) -> Path:
    return settings.data_dir / "halls"


def hall_config(settings: Settings, code: str) -> tuple[Hall, bytes | None]:
    """(the hall, its seal image bytes or None). Unconfigured or invalid: the placeholder, with a warning."""
    folder = halls_dir(settings)
    try:
        hall = load_hall(folder, code)
    except HallError as exc:
        logger.warning("hall %r: configuration invalid, notices print it as unset (yichuang halls validate): %s",
                       code, "; ".join(exc.problems))
        return placeholder(code), None
    if hall is None:
        logger.warning("hall %r has no configuration (%s); notices print its name, agency and appeal bodies as "
                       "unset", code, folder / f"{code}.yaml")
        return placeholder(code), None
    seal = hall.seal_path(folder)
    return hall, (seal.read_bytes() if seal is not None else None)


def unconfigured(settings: Settings, codes: list[str]) -> list[str]:
    """The hall codes among `codes` without a valid configuration (startup warning)."""
    missing = []
    for code in sorted(set(codes)):
        try:
            if load_hall(halls_dir(settings), code) is None:
                missing.append(code)
        except HallError:
            missing.append(code)
    return missing
