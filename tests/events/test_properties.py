"""Property-based tests (Hypothesis) of the sign-up rules: the waitlist is first in, first out and never splits
a group, the seats are never more than the capacity, and a series keeps its local wall time across a change of
summer time. Bounded examples, no deadline; ``--hypothesis-show-statistics`` shows how many each tried."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from src.events import rules
from src.events.constants import CONFIRMED, WAITLISTED
from tests import dates

EXAMPLES = 200
DST_DAY = dates.next_clock_change()
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

queues = st.lists(st.integers(1, 6), max_size=15).map(lambda seats: [(100 + number, count) for number, count in enumerate(seats)])


@PROPERTY
@given(st.integers(0, 30), queues)
def test_promotion_is_a_prefix_of_the_queue_and_never_splits_a_group(free_seats, queue):
    promoted = rules.to_promote(free_seats, queue)
    event("everyone promoted" if len(promoted) == len(queue) else "someone still waits")
    assert promoted == [number for number, _seats in queue[: len(promoted)]]  # first in, first out: nobody overtaken
    taken = sum(seats for _number, seats in queue[: len(promoted)])
    assert taken <= free_seats  # whole groups only, within the free seats
    if len(promoted) < len(queue):
        assert queue[len(promoted)][1] > free_seats - taken  # it stops at the first group that does not fit


# one step of an event's life: a new sign-up of n seats, or the k-th active sign-up cancelling
steps = st.lists(st.one_of(st.tuples(st.just("sign up"), st.integers(1, 4)), st.tuples(st.just("cancel"), st.integers(0, 40))), min_size=5, max_size=40)


@PROPERTY
@given(st.integers(1, 8), steps)
def test_an_event_never_holds_more_seats_than_it_has_and_its_queue_moves_in_order(capacity, life):
    """The service's sequence (placement on sign-up, to_promote after a cancellation), replayed on a model."""
    confirmed: list[tuple[int, int]] = []
    waiting: list[tuple[int, int]] = []  # in queue order
    promoted_order: list[int] = []
    for number, (step, value) in enumerate(life):
        if step == "sign up":
            seats_taken = sum(seats for _n, seats in confirmed)
            where = rules.placement(value, capacity, seats_taken, waitlist_on=True, anyone_waiting=bool(waiting))
            if waiting:
                assert where == WAITLISTED  # a newcomer never overtakes the queue
            (confirmed if where == CONFIRMED else waiting).append((number, value))
        else:
            active = confirmed + waiting
            if not active:
                continue
            gone = active[value % len(active)]
            (confirmed if gone in confirmed else waiting).remove(gone)
            free = capacity - sum(seats for _n, seats in confirmed)
            for registration in rules.to_promote(free, waiting):
                moved = next(item for item in waiting if item[0] == registration)
                waiting.remove(moved)
                confirmed.append(moved)
                promoted_order.append(registration)
        assert sum(seats for _n, seats in confirmed) <= capacity
    assert promoted_order == sorted(promoted_order)  # promoted in the order they signed up
    event("someone was promoted" if promoted_order else "nobody promoted")


@PROPERTY
@given(
    st.integers(-14, 3),
    st.integers(9, 20),
    st.sampled_from(["FREQ=WEEKLY", "FREQ=DAILY", "FREQ=WEEKLY;INTERVAL=2", "FREQ=WEEKLY;BYDAY=TU,TH"]),
    st.integers(1, 12),
    st.sampled_from(["Europe/Berlin", "Europe/Berlin", "Europe/Berlin", "Asia/Yakutsk"]),  # mostly Berlin
)
def test_a_series_keeps_its_local_wall_time_across_a_change_of_clocks(day, hour, rule, count, zone):
    tz = ZoneInfo(zone)
    first = DST_DAY + timedelta(days=day)
    starts_at = datetime.combine(first, time(hour), tzinfo=tz).astimezone(timezone.utc)

    series = rules.occurrences(f"{rule};COUNT={count}", starts_at, tz)

    assert 1 <= len(series) <= count
    assert all(moment.astimezone(tz).time() == time(hour) for moment in series)
    assert [moment.astimezone(timezone.utc) for moment in series] == sorted(moment.astimezone(timezone.utc) for moment in series)
    event("crosses a change of clocks" if len({moment.utcoffset() for moment in series}) > 1 else "one offset throughout")
