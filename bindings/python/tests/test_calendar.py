"""Business calendars through the C ABI: arithmetic with datetime and timedelta, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import itsm

UTC = timezone.utc
# Mon-Fri 09:00-12:00 and 13:00-17:00 in Berlin (UTC+1 in March), a holiday on 9 March.
CONFIG = {
    "calendars": {
        "office": {
            "time_zone": "Europe/Berlin",
            "weekly": {d: [["09:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": ["2026-03-09"],
        }
    }
}
MON_9 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
H = timedelta(hours=1)


@pytest.fixture
def cal() -> "itsm.Calendar":
    return itsm.Calendar.from_json(CONFIG, "office")


def test_arithmetic(cal: itsm.Calendar) -> None:
    assert cal.add(MON_9, 3 * H) == MON_9 + 3 * H  # an exact fit ends at the close
    assert cal.add(MON_9, 3 * H + timedelta(microseconds=1)) == MON_9 + 4 * H + timedelta(microseconds=1)
    assert cal.add(MON_9 + 3 * H, timedelta(0)) == MON_9 + 4 * H  # zero: the next opening
    assert cal.add(MON_9 + 24 * H, -H) == MON_9 + 7 * H
    assert cal.subtract(MON_9 + 8 * H, 4 * H) == MON_9 + 4 * H  # an exact fit: the opening
    # Friday 16:00 + 2 h skips the weekend and the Monday holiday: Tuesday 10:00 Berlin.
    assert cal.add(datetime(2026, 3, 6, 15, 0, tzinfo=UTC), 2 * H) == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert cal.between(MON_9, MON_9 + 7 * 24 * H) == 35 * H
    assert cal.between(MON_9 + H, MON_9) == timedelta(0)
    assert cal.is_open(MON_9)
    assert not cal.is_open(MON_9 + 3 * H)
    assert cal.next_opening(MON_9 + 3 * H) == MON_9 + 4 * H
    assert cal.next_closing(MON_9) == MON_9 + 3 * H
    # Any aware datetime goes in; results come back in UTC.
    berlin = timezone(timedelta(hours=1))
    assert cal.add(datetime(2026, 3, 2, 9, 0, tzinfo=berlin), H) == MON_9 + H


def test_json_text_and_the_only_calendar() -> None:
    import json

    with itsm.Calendar.from_json(json.dumps(CONFIG)) as cal:
        assert cal.is_open(MON_9)
    assert cal.closed
    with pytest.raises(itsm.InvalidArgument, match="calendar: is closed"):
        cal.is_open(MON_9)
    cal.close()  # twice is harmless


def test_refusals(cal: itsm.Calendar) -> None:
    bad = {"calendars": {"berlin": {"weekly": {"mon": [["09:00", "12:00"], ["17:00", "09:00"]]}}}}
    with pytest.raises(itsm.InvalidConfig) as info:
        itsm.Calendar.from_json(bad)
    assert info.value.message.startswith("calendars.berlin.weekly.mon[1]: end before start")
    with pytest.raises(itsm.NotFound):
        itsm.Calendar.from_json(CONFIG, "nope")
    with pytest.raises(itsm.InvalidArgument, match="1900"):
        cal.is_open(datetime(1800, 1, 1, tzinfo=UTC))
    with pytest.raises(itsm.InvalidArgument):
        cal.add(MON_9, timedelta(days=999999999))
    with pytest.raises(itsm.InvalidArgument):
        cal.add(datetime(2026, 3, 2, 9, 0), H)  # naive
