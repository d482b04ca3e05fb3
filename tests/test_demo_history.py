"""The demo history: a past stretch of the network made through the services at past instants (clock.at)."""

from datetime import timedelta

from src import clock, demo_history
from src.accounts.permissions import Principal
from src.events.tables import Event, EventAttendance, Registration
from src.stats import service
from src.stats.periods import Period


async def test_history_is_made_in_the_past_and_counts_in_the_statistics(demo):
    today = clock.today("Asia/Yakutsk")
    summary = await demo_history.load(today, days=60)
    assert "readers" in summary
    assert await demo_history.load(today, days=60) == "demo history: already loaded"
    assert await Event.count().where(Event.starts_at < clock.now() - timedelta(days=1)) > 0
    assert await Registration.count().where(Registration.checked_in_at.is_not_null()) > 0
    assert await EventAttendance.count() >= 0
    _scope, figures = await service.summary(Principal(id=1, role="admin", full_name="a"), [], Period(today - timedelta(days=60), today))
    assert figures["events_held"] > 0 and figures["event_visits"] >= figures["checkins"] > 0 and figures["new_readers"] > 0
    assert sum(figures["by_age"].values()) == figures["event_visits"]
