import pytest

from src import registrations  # noqa: F401 - the domains fill the notification registry, as at start-up

from tests.notifications.support import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()
