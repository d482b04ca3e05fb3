import pytest

from src.i18n import reset_language, set_language


@pytest.fixture(autouse=True)
def english_messages():
    """Rule and service tests read the English message ids; requests still pick their own language."""
    token = set_language("en")
    yield
    reset_language(token)
