import pytest

from tests.notifications.support import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()
