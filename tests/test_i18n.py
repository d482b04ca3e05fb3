"""Every UI string goes through gettext and has its Russian translation."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from src.i18n import LOCALE_DIR, pick_language

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_has_a_russian_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb")) if m.id}
    ru = read_po((LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb"), locale="ru")
    done = {m.id if isinstance(m.id, str) else m.id[0] for m in ru if m.id and (m.string if isinstance(m.string, str) else all(m.string))}
    missing = sorted(wanted - done)
    assert not missing, "untranslated (run `make messages` and fill src/locale/ru/LC_MESSAGES/messages.po):\n" + "\n".join(missing)


def test_language_choice_order():
    assert pick_language("en", "ru") == "en"
    assert pick_language(None, "de-DE,en;q=0.7,ru;q=0.9") == "ru"
    assert pick_language(None, "en-US") == "en"
    assert pick_language(None, "fr") == "ru"
    assert pick_language("xx", None) == "ru"
