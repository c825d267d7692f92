"""Exact timecode arithmetic at every rate editors meet, drop-frame included."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rushes.domain.timecode import (
    Timecode,
    TimecodeClock,
    day_frames,
    format_rate,
    frame_at,
    has_timecode,
    is_drop_frame_rate,
    nominal_fps,
    parse_rate,
    parse_sequence_rate,
    parse_start,
    parse_time,
    timecode_at,
)
from rushes.errors import UsageError

R23976 = Fraction(24000, 1001)
R2997 = Fraction(30000, 1001)
R5994 = Fraction(60000, 1001)

#: (rate, drop-frame) for every timecode flavour under test.
FLAVOURS: list[tuple[Fraction, bool]] = [
    (R23976, False),
    (Fraction(24), False),
    (Fraction(25), False),
    (R2997, True),
    (R2997, False),
    (Fraction(30), False),
    (Fraction(50), False),
    (R5994, True),
]
FLAVOUR_IDS = [f"{format_rate(r)}{'DF' if df else 'NDF'}" for r, df in FLAVOURS]


def _tc(frames: int, rate: Fraction, df: bool = False) -> str:
    return str(Timecode(frames, rate, df))


# --- known SMPTE values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frames", "label"),
    [
        (0, "00:00:00;00"),
        (1, "00:00:00;01"),
        (29, "00:00:00;29"),
        (30, "00:00:01;00"),
        (1799, "00:00:59;29"),
        (1800, "00:01:00;02"),  # ;00 and ;01 are skipped at the start of minute 1
        (1801, "00:01:00;03"),
        (3597, "00:01:59;29"),
        (3598, "00:02:00;02"),
        (17981, "00:09:59;29"),
        (17982, "00:10:00;00"),  # every tenth minute keeps its ;00 and ;01
        (17983, "00:10:00;01"),
        (17984, "00:10:00;02"),
        (19781, "00:10:59;29"),
        (19782, "00:11:00;02"),
        (107891, "00:59:59;29"),
        (107892, "01:00:00;00"),
        (2589407, "23:59:59;29"),
    ],
)
def test_2997_drop_frame_known_labels(frames: int, label: str) -> None:
    assert _tc(frames, R2997, True) == label
    assert Timecode.parse(label, R2997) == Timecode(frames, R2997, True)


@pytest.mark.parametrize(
    ("frames", "label"),
    [
        (0, "00:00:00;00"),
        (3599, "00:00:59;59"),
        (3600, "00:01:00;04"),  # four labels skipped per minute at 59.94
        (35963, "00:09:59;59"),
        (35964, "00:10:00;00"),
        (215783, "00:59:59;59"),
        (215784, "01:00:00;00"),
    ],
)
def test_5994_drop_frame_known_labels(frames: int, label: str) -> None:
    assert _tc(frames, R5994, True) == label
    assert Timecode.parse(label, R5994) == Timecode(frames, R5994, True)


@pytest.mark.parametrize(
    ("rate", "frames", "label"),
    [
        (R23976, 24, "00:00:01:00"),
        (R23976, 86400, "01:00:00:00"),
        (Fraction(24), 86399, "00:59:59:23"),
        (Fraction(25), 90000, "01:00:00:00"),
        (Fraction(25), 90262, "01:00:10:12"),
        (R2997, 1800, "00:01:00:00"),
        (R2997, 108000, "01:00:00:00"),
        (Fraction(30), 108000, "01:00:00:00"),
        (Fraction(50), 180049, "01:00:00:49"),
        (R5994, 216000, "01:00:00:00"),
    ],
)
def test_non_drop_known_labels(rate: Fraction, frames: int, label: str) -> None:
    assert _tc(frames, rate) == label
    assert Timecode.parse(label, rate) == Timecode(frames, rate, False)


def test_drop_frame_label_tracks_the_wall_clock() -> None:
    one_hour_df = Timecode.parse("01:00:00;00", R2997)
    one_hour_ndf = Timecode.parse("01:00:00:00", R2997)
    # 107892 frames at 30000/1001 are 3599.9964 s: within 3.6 ms of a real hour ...
    assert one_hour_df.seconds() == Fraction(107892 * 1001, 30000)
    assert abs(one_hour_df.seconds() - 3600) < Fraction(1, 250)
    # ... where non-drop labels run 3.6 s behind real time after an hour.
    assert one_hour_ndf.seconds() == Fraction(3603600, 1000)
    assert Timecode.parse("01:00:00;00", R5994).seconds() == one_hour_df.seconds()


def test_exactness_has_no_float_drift_over_a_day() -> None:
    # 24 h of 29.97 DF: 24 * 107892 frames, exactly 86399.9136 s.
    tc = Timecode(24 * 107892, R2997, True)
    assert tc.seconds() == Fraction(24 * 107892 * 1001, 30000)
    assert str(tc) == "00:00:00;00"  # a timecode day has passed: the clock wraps
    assert tc.label(wrap=False) == "24:00:00;00"
    assert timecode_at(tc.seconds(), R2997, drop_frame=True) == tc


# --- the 24-hour clock --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "df", "day"),
    [
        (Fraction(25), False, 2_160_000),
        (Fraction(24), False, 2_073_600),
        (R23976, False, 2_073_600),
        (R2997, True, 2_589_408),
        (R2997, False, 2_592_000),
        (Fraction(50), False, 4_320_000),
        (R5994, True, 5_178_816),
    ],
)
def test_labels_wrap_to_midnight_after_a_timecode_day(rate: Fraction, df: bool, day: int) -> None:
    assert day_frames(rate, df) == day
    assert Timecode.parse("24:00:00;00" if df else "24:00:00:00", rate).frames == day
    last = _tc(day - 1, rate, df)
    assert last.startswith("23:59:59")
    assert _tc(day, rate, df) == ("00:00:00;00" if df else "00:00:00:00")
    assert _tc(day + 37, rate, df) == _tc(37, rate, df)
    clock = TimecodeClock.of(rate, Timecode(day - 1, rate, df))
    assert clock.label(0) == last
    assert clock.label(math.ceil(Fraction(10**6) / rate)) == _tc(0, rate, df)


def test_hours_past_23_are_refused_where_a_person_types_them() -> None:
    for label in ("24:00:00:00", "25:00:00:00", "99:00:00:00"):
        with pytest.raises(UsageError, match="hours run to 23"):
            Timecode.parse(label, Fraction(25), within_day=True)
        with pytest.raises(UsageError, match="hours run to 23"):
            parse_time(label, Fraction(25))
    # a file's label is read as written (another tool's list may count on past midnight)
    assert Timecode.parse("24:00:01:00", Fraction(25)).frames == 2_160_025


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [("23:59:59:12", Fraction(12, 25)), ("00:00:00:00", Fraction(1)),
     ("00:00:02:00", Fraction(3)), ("00:00:05:00", Fraction(6))],
)
def test_a_label_before_the_start_is_the_next_day_on_media_across_midnight(
    typed: str, seconds: Fraction
) -> None:
    start = Timecode.parse("23:59:59:00", Fraction(25))
    assert parse_time(typed, Fraction(25), start, Fraction(6)) == seconds


def test_a_label_before_the_start_that_the_media_does_not_reach_is_refused() -> None:
    start = Timecode.parse("23:59:59:00", Fraction(25))
    for typed, length in (("00:00:07:00", Fraction(6)), ("00:00:02:00", None),
                          ("23:59:58:24", Fraction(6))):
        with pytest.raises(UsageError, match="before the media's start timecode 23:59:59:00"):
            parse_time(typed, Fraction(25), start, length)


def test_drop_frame_media_across_midnight() -> None:
    start = Timecode.parse("23:59:59;00", R2997)
    got = parse_time("00:00:00;10", R2997, start, Fraction(4))
    assert got == Fraction(40 * 1001, 30000)  # 30 frames to midnight, then 10
    assert str(timecode_at(got, R2997, start)) == "00:00:00;10"


# --- a cut's clock ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["25", "24", "23.976", "29.97", "30000/1001", "50", "59.94",
                                  "47.952", "119.88", "12", "15"])
def test_sequence_rates_that_timecode_can_count(text: str) -> None:
    assert has_timecode(parse_sequence_rate(text))


@pytest.mark.parametrize("text", ["12.5", "25/2", "2997/100", "24.5", "7.5"])
def test_sequence_rates_without_timecode_are_refused_naming_those_accepted(text: str) -> None:
    with pytest.raises(UsageError, match=r"has no timecode .*use 23\.976, 24, 25, 29\.97"):
        parse_sequence_rate(text)


@pytest.mark.parametrize(
    ("label", "rate", "df", "message"),
    [
        ("01:00:00;00", Fraction(25), False, "drop-frame, which does not exist at 25 fps"),
        ("01:00:00;00", Fraction(25), None, "drop-frame, which does not exist at 25 fps"),
        ("25:00:00:00", Fraction(25), None, "hours run to 23"),
        ("99:00:00:00", Fraction(25), None, "hours run to 23"),
        ("23:60:00:00", Fraction(25), None, "out of range at 25 fps"),
        ("23:59:59:25", Fraction(25), None, "frames to 24"),
        ("23:59:59;30", R2997, None, "frames to 29"),
    ],
)
def test_start_timecodes_beyond_the_clock_are_refused_in_one_line(
    label: str, rate: Fraction, df: bool | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message) as info:
        parse_start(label, rate, df)
    assert str(info.value).startswith(f"start timecode {label!r}")
    assert "\n" not in str(info.value)


def test_start_timecodes_that_exist() -> None:
    assert str(parse_start("23:59:59:24", Fraction(25))) == "23:59:59:24"
    assert str(parse_start("01:00:00;00", R2997)) == "01:00:00;00"
    # at 29.97 a ';' typed with --non-drop-frame is the non-drop label of those digits
    assert parse_start("01:00:00;00", R2997, False) == Timecode(108000, R2997, False)


# --- round trips --------------------------------------------------------------------------------


def _minute_boundaries(rate: Fraction, df: bool) -> list[int]:
    """Frame numbers around the first 11 minute starts and the hour mark, as labels say."""
    fps = nominal_fps(rate)
    out: set[int] = set()
    for label_minute in [*range(12), 59, 60, 61]:
        h, m = divmod(label_minute, 60)
        sep = ";" if df else ":"
        drop = 2 * fps // 30 if df and m % 10 else 0
        start = Timecode.parse(f"{h:02d}:{m:02d}:00{sep}{drop:02d}", rate).frames
        out.update(range(max(0, start - fps - 3), start + fps + 3))
    return sorted(out)


@pytest.mark.parametrize(("rate", "df"), FLAVOURS, ids=FLAVOUR_IDS)
def test_round_trip_every_frame_around_minute_boundaries(rate: Fraction, df: bool) -> None:
    frames = _minute_boundaries(rate, df)
    labels = [_tc(n, rate, df) for n in frames]
    for n, label in zip(frames, labels, strict=True):
        assert Timecode.parse(label, rate) == Timecode(n, rate, df), label
    # consecutive frames never share a label, and labels sort like frames
    assert len(set(labels)) == len(labels)
    assert labels == sorted(labels)


@pytest.mark.parametrize(("rate", "df"), FLAVOURS, ids=FLAVOUR_IDS)
def test_round_trip_a_whole_ten_minutes(rate: Fraction, df: bool) -> None:
    fps = nominal_fps(rate)
    span = fps * 600 - (18 * fps // 30 if df else 0)
    previous = ""
    for n in range(span + 2):
        label = _tc(n, rate, df)
        assert Timecode.parse(label, rate) == Timecode(n, rate, df), label
        assert label > previous
        previous = label
    assert _tc(span, rate, df) == ("00:10:00;00" if df else "00:10:00:00")


@pytest.mark.parametrize(("rate", "df"), FLAVOURS, ids=FLAVOUR_IDS)
@given(data=st.data())
def test_round_trip_random_frames(rate: Fraction, df: bool, data: st.DataObject) -> None:
    day = Timecode.parse("24:00:00;00" if df else "24:00:00:00", rate).frames
    n = data.draw(st.integers(min_value=0, max_value=day - 1))
    tc = Timecode(n, rate, df)
    assert Timecode.parse(str(tc), rate) == tc
    # the label of the frame shown at its own start time is its label
    assert timecode_at(tc.seconds(), rate, drop_frame=df) == tc
    assert frame_at(tc.seconds(), rate) == n


@given(hh=st.integers(0, 23), mm=st.integers(0, 59), ss=st.integers(0, 59), ff=st.integers(0, 29))
def test_every_valid_2997_drop_frame_label_round_trips(hh: int, mm: int, ss: int, ff: int) -> None:
    label = f"{hh:02d}:{mm:02d}:{ss:02d};{ff:02d}"
    if ss == 0 and mm % 10 and ff < 2:
        with pytest.raises(UsageError, match="does not exist in drop-frame"):
            Timecode.parse(label, R2997)
    else:
        assert str(Timecode.parse(label, R2997)) == label


# --- rejected labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "rate"),
    [
        ("00:01:00;00", R2997),
        ("00:01:00;01", R2997),
        ("00:09:00;01", R2997),
        ("01:01:00;00", R2997),
        ("00:01:00;00", R5994),
        ("00:01:00;03", R5994),
    ],
)
def test_skipped_drop_frame_labels_are_rejected(label: str, rate: Fraction) -> None:
    with pytest.raises(UsageError, match=r"does not exist in drop-frame") as info:
        Timecode.parse(label, rate)
    assert label in str(info.value)


@pytest.mark.parametrize(("label", "rate"), [("00:10:00;00", R2997), ("00:01:00;04", R5994)])
def test_kept_drop_frame_labels_next_to_skipped_ones_are_accepted(
    label: str, rate: Fraction
) -> None:
    assert str(Timecode.parse(label, rate)) == label


@pytest.mark.parametrize("rate", [Fraction(25), Fraction(24), R23976, Fraction(30), Fraction(50)])
def test_drop_frame_separator_rejected_where_drop_frame_does_not_exist(rate: Fraction) -> None:
    with pytest.raises(UsageError, match=r"drop-frame, which does not exist at"):
        Timecode.parse("00:00:10;00", rate)
    with pytest.raises(UsageError, match="drop-frame timecode does not exist"):
        Timecode(0, rate, True)


def test_drop_frame_separator_at_25_names_the_rate() -> None:
    with pytest.raises(UsageError, match=r"at 25 fps"):
        Timecode.parse("01:00:00;00", Fraction(25))


@pytest.mark.parametrize(
    ("label", "rate"),
    [
        ("00:00:00:25", Fraction(25)),
        ("00:00:00:24", Fraction(24)),
        ("00:00:00:24", R23976),
        ("00:00:00;30", R2997),
        ("00:00:00:30", R2997),
        ("00:00:00:30", Fraction(30)),
        ("00:00:00:50", Fraction(50)),
        ("00:00:00;60", R5994),
        ("00:60:00:00", Fraction(25)),
        ("00:00:60:00", Fraction(25)),
    ],
)
def test_out_of_range_fields_rejected(label: str, rate: Fraction) -> None:
    with pytest.raises(UsageError, match="out of range"):
        Timecode.parse(label, rate)


@pytest.mark.parametrize("label", ["", "1:2:3:4", "00:00:00", "aa:bb:cc:dd", "00:00:00:00:00"])
def test_malformed_timecode_rejected(label: str) -> None:
    with pytest.raises(UsageError, match="not a timecode"):
        Timecode.parse(label, Fraction(25))


def test_highest_frame_number_is_accepted() -> None:
    assert Timecode.parse("00:00:00:24", Fraction(25)).frames == 24
    assert Timecode.parse("00:00:00;59", R5994).frames == 59


# --- rates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("29.97", R2997),
        ("30000/1001", R2997),
        (" 30000/1001 ", R2997),
        ("23.976", R23976),
        ("23.98", R23976),
        ("59.94", R5994),
        ("60000/1001", R5994),
        ("25", Fraction(25)),
        (25, Fraction(25)),
        (29.97, R2997),
        (23.976, R23976),
        (25.0, Fraction(25)),
        ("30", Fraction(30)),
        ("50/2", Fraction(25)),
        (Fraction(24000, 1001), R23976),
    ],
)
def test_parse_rate(text: str | int | float | Fraction, rate: Fraction) -> None:
    got = parse_rate(text)
    assert got == rate
    assert isinstance(got, Fraction)


def test_parse_rate_keeps_an_explicit_fraction_unsnapped() -> None:
    # a rate typed as a fraction is taken literally; only decimal spellings snap to NTSC
    assert parse_rate("2997/100") == Fraction(2997, 100)
    assert parse_rate("29.970") == R2997


@pytest.mark.parametrize(
    "text",
    ["0", "0/1", "-25", "abc", "", "1/0", "29.97fps", 0, -1, 0.0, float("nan"), float("inf")],
)
def test_parse_rate_rejects_nonsense(text: str | int | float) -> None:
    with pytest.raises(UsageError, match="not a frame rate"):
        parse_rate(text)


def test_drop_frame_rates_and_names() -> None:
    assert is_drop_frame_rate(R2997)
    assert is_drop_frame_rate(R5994)
    assert not is_drop_frame_rate(R23976)
    assert not is_drop_frame_rate(Fraction(30))
    assert not is_drop_frame_rate(Fraction(25))
    assert [format_rate(r) for r in (R23976, R2997, R5994, Fraction(25))] == [
        "23.976",
        "29.97",
        "59.94",
        "25",
    ]
    assert [nominal_fps(r) for r in (R23976, R2997, R5994, Fraction(50))] == [24, 30, 60, 50]


# --- user times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("12.5", Fraction(25, 2)),
        ("0", Fraction(0)),
        (" 7 ", Fraction(7)),
        ("1/3", Fraction(1, 3)),
        ("00:01:02.500", Fraction(125, 2)),
        ("01:02.25", Fraction(249, 4)),
        ("1:00:00", Fraction(3600)),
        ("10:00:00.1", Fraction(360001, 10)),
    ],
)
def test_parse_time_seconds_and_clock(text: str, seconds: Fraction) -> None:
    # the clock form means the same with or without a frame rate in play
    assert parse_time(text) == seconds
    assert parse_time(text, Fraction(25)) == seconds
    assert parse_time(text, R2997, Timecode.parse("01:00:00;00", R2997)) == seconds


def test_parse_time_timecode_relative_to_start() -> None:
    start = Timecode.parse("01:00:00:00", Fraction(25))
    got = parse_time("01:00:10:12", Fraction(25), start)
    assert got == Fraction(1048, 100)
    assert isinstance(got, Fraction)
    assert parse_time("01:00:00:00", Fraction(25), start) == 0


def test_parse_time_timecode_without_start_counts_from_zero() -> None:
    assert parse_time("00:00:10:12", Fraction(25)) == Fraction(262, 25)
    assert parse_time("00:00:00:01", R2997) == Fraction(1001, 30000)


def test_parse_time_drop_frame_start_reads_colons_as_drop_frame() -> None:
    start = Timecode.parse("01:00:00;00", R2997)
    # ten drop-frame minutes later is exactly 17982 frames
    expected = Fraction(17982 * 1001, 30000)
    assert parse_time("01:10:00;00", R2997, start) == expected
    assert parse_time("01:10:00:00", R2997, start) == expected
    assert parse_time("01:10:00,00", R2997, start) == expected


def test_parse_time_before_start_is_an_error() -> None:
    start = Timecode.parse("01:00:00:00", Fraction(25))
    with pytest.raises(UsageError, match=r"before the media's start timecode 01:00:00:00"):
        parse_time("00:59:59:24", Fraction(25), start)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty time"),
        ("-1", "negative time"),
        ("abc", "not a time"),
        ("00:61:00", "out of range"),
        ("00:00:60.5", "out of range"),
        ("00:00:10:12", "needs a frame rate"),
    ],
)
def test_parse_time_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_time(text)


def test_parse_time_rejects_a_skipped_drop_frame_label() -> None:
    with pytest.raises(UsageError, match="does not exist in drop-frame"):
        parse_time("00:01:00;00", R2997)


# --- frames at exact moments --------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "df"), FLAVOURS, ids=FLAVOUR_IDS)
@pytest.mark.parametrize("n", [0, 1, 2, 1000, 17982, 107892, 1000001])
def test_frame_at_exact_frame_starts(rate: Fraction, df: bool, n: int) -> None:
    start = n / rate  # exact
    assert frame_at(start, rate) == n
    assert frame_at(start - Fraction(1, 10**12), rate) == n - 1
    assert frame_at(start + 1 / rate - Fraction(1, 10**12), rate) == n
    assert timecode_at(start, rate, drop_frame=df) == Timecode(n, rate, df)


def test_frame_at_1001_boundaries() -> None:
    assert frame_at(Fraction(1001, 30000), R2997) == 1
    assert frame_at(Fraction(1000, 30000), R2997) == 0
    assert frame_at(Fraction(1001, 24000), R23976) == 1
    assert frame_at(Fraction(1001, 60000), R5994) == 1
    assert frame_at(Fraction(1001, 1000), R2997) == 30
    assert frame_at(Fraction(1), R2997) == 29  # a second of 29.97 is not 30 frames
    assert frame_at(Fraction(3600), R2997) == 107892  # 107892.107…: hour mark is frame 107892


def test_timecode_at_with_start_offsets_and_inherits_drop_frame() -> None:
    start = Timecode.parse("01:00:00;00", R2997)
    assert str(timecode_at(Fraction(0), R2997, start)) == "01:00:00;00"
    assert str(timecode_at(Fraction(1001, 30000), R2997, start)) == "01:00:00;01"
    assert str(timecode_at(Fraction(60 * 1001, 1000), R2997, start)) == "01:01:00;02"
    start25 = Timecode.parse("10:00:00:00", Fraction(25))
    assert str(timecode_at(Fraction(1048, 100), Fraction(25), start25)) == "10:00:10:12"
    assert str(timecode_at(Fraction(1047, 100), Fraction(25), start25)) == "10:00:10:11"


def test_timecode_arithmetic() -> None:
    tc = Timecode.parse("00:00:59;29", R2997)
    assert str(tc + 1) == "00:01:00;02"
    assert (tc + 1).drop_frame
    assert str(Timecode.parse("00:00:00:24", Fraction(25)) + 1) == "00:00:01:00"


def test_parse_time_comma_and_semicolon_both_mean_drop_frame() -> None:
    # with a non-drop start, a typed drop-frame label is read as drop-frame whichever mark is used
    start = Timecode.parse("01:00:00:00", R2997)
    semicolon = parse_time("01:10:00;00", R2997, start)
    assert parse_time("01:10:00,00", R2997, start) == semicolon
    assert semicolon == Fraction((7 * 17982 - 108000) * 1001, 30000)
    assert parse_time("01:10:00:00", R2997, start) == Fraction(18000 * 1001, 30000)


def test_a_timecode_clock_labels_as_timecode_arithmetic_does() -> None:
    """TimecodeClock is the integer shortcut search uses for hits' timecodes: it must print
    exactly ``start + floor(us · rate / 10⁶)`` (or that frame count from zero), drop-frame
    included, across minute and ten-minute boundaries and past 24 hours."""
    import random

    from rushes.domain.timecode import TimecodeClock

    rng = random.Random(5)
    rates = [Fraction(25), Fraction(24), Fraction(50), Fraction(30000, 1001),
             Fraction(24000, 1001), Fraction(60000, 1001)]
    for rate in rates:
        starts: list[Timecode | None] = [None, Timecode.parse("01:00:00:00", rate, False)]
        if rate.denominator == 1001 and rate.numerator % 30000 == 0:
            starts.append(Timecode.parse("00:59:59;28", rate, True))
        for start in starts:
            clock = TimecodeClock.of(rate, start)
            for us in [0, 999_999, 60_000_000, 600_000_000, 90_000_000_000,
                       *(rng.randrange(0, 100_000_000_000) for _ in range(300))]:
                frames = us * rate.numerator // (rate.denominator * 1_000_000)
                expected = Timecode(frames, rate) if start is None else start + frames
                assert clock.label(us) == str(expected), (rate, start, us)
