"""Where the in-repo data the tests read lives (nothing outside the checkout).

- ``cassettes/recorded/chat``: real third-party OpenRouter recordings.
- ``cassettes/recorded/models``: real ``GET /api/v1/models`` listings.
- ``seed/``: the document the project was started from.

Provenance and licences: ``cassettes/recorded/SOURCES.md`` and ``seed/README.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
RECORDED_DIR: Final = REPO_ROOT / "cassettes" / "recorded"
CHAT_RECORDINGS: Final = RECORDED_DIR / "chat"
MODEL_LISTINGS: Final = RECORDED_DIR / "models"
SEED_FILE: Final = REPO_ROOT / "seed" / "000_1b2c6b46aa72104f.txt"
