"""The consent to personal-data processing (152-FZ): a versioned text and the processing policy.

The text comes from the TOML file named by ``LIBSPACE_PRIVACY_FILE`` (``version``, and per language
``consent`` and ``policy`` in Markdown); without it, ``privacy_default.toml`` next to this module. A card
records when and to which version its reader agreed; an empty version is a consent given on paper to the old
library system (imported cards), and such readers are asked again when they activate online.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from src.accounts.tables import ReaderCard
from src.config import LANGUAGES, get_settings

DEFAULT_FILE = Path(__file__).with_name("privacy_default.toml")
PAPER = ""  # the version of a consent given on paper to the old library system


@dataclass(frozen=True, slots=True)
class Consent:
    version: str
    texts: dict[str, tuple[str, str]]  # language -> (consent text, policy in Markdown)

    def consent_text(self, language: str) -> str:
        return self._pick(language)[0]

    def policy(self, language: str) -> str:
        return self._pick(language)[1]

    def _pick(self, language: str) -> tuple[str, str]:
        return self.texts.get(language) or self.texts.get(get_settings().language) or next(iter(self.texts.values()))


def load(path: Path) -> Consent:
    """Read and check a privacy file; a broken one stops the start, not a reader's request."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    version = str(data.get("version", "")).strip()
    if not version or len(version) > 32:
        raise ValueError(f"{path}: `version` must be a short non-empty string (at most 32 characters)")
    texts = {}
    for language in LANGUAGES:
        section = data.get(language)
        if isinstance(section, dict) and str(section.get("consent", "")).strip():
            texts[language] = (str(section["consent"]).strip(), str(section.get("policy", "")).strip())
    if not texts:
        raise ValueError(f"{path}: give the consent text under [ru] (and [en]): consent = \"...\", policy = \"...\"")
    return Consent(version=version, texts=texts)


@lru_cache(maxsize=1)
def current() -> Consent:
    configured = os.environ.get("LIBSPACE_PRIVACY_FILE", "").strip()
    return load(Path(configured) if configured else DEFAULT_FILE)


async def record(account_id: int, at: datetime) -> None:
    """The reader agrees to the current version now (joins the caller's transaction)."""
    await ReaderCard.update({ReaderCard.consent_at: at, ReaderCard.consent_version: current().version}).where(ReaderCard.account == account_id)
