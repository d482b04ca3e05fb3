"""One person, one place at a time (issue 16, item 7): a reader's own bookings may not overlap across zones and
branches; the same zone stays a clash (409); another time is fine."""

import pytest

from src.exceptions import Invalid
from src.timeutil import today_in
from tests.rooms.helpers import READER, at, open_day, zone_named
from tests.rooms.test_service import book


async def test_a_reader_cannot_be_in_two_places_at_once(demo):
    centre, coworking = await zone_named("centralnaya", "Коворкинг")
    chekhov, other = await zone_named("chekhov", "Коворкинг")
    day = open_day(coworking, centre.tz)
    while open_day(other, chekhov.tz, days_ahead=(day - today_in(centre.tz)).days) != day:  # a day both are open
        day = open_day(coworking, centre.tz, days_ahead=(day - today_in(centre.tz)).days + 1)
    await book(READER, coworking, at(centre, day, 11), at(centre, day, 13))
    with pytest.raises(Invalid) as refused:
        await book(READER, other, at(chekhov, day, 12), at(chekhov, day, 14))
    assert refused.value.errors[0].field == "start"
    (later,) = (await book(READER, other, at(chekhov, day, 13), at(chekhov, day, 14))).bookings  # right after: fine
    assert later.starts_at == at(chekhov, day, 13)
