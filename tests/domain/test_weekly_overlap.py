"""Table tests: when do two weekly rules of one counsellor overlap, and on which day first."""

from datetime import date, time

import pytest

from booking.domain.calendar_rules import WeeklyRule
from booking.domain.weekly_overlap import earliest_clash, first_clash_day

MONDAY, SATURDAY = 0, 5
# Monday 1 February 2027 starts "week 0" for rules valid from that week.
WEEK0 = date(2027, 2, 1)


def rule(weekday=SATURDAY, start=time(10), end=time(13), starts_on=WEEK0, ends_on=None,
         every=1, location="schwerin"):
    return WeeklyRule(1, location, weekday, start, end, starts_on, ends_on, every)


@pytest.mark.parametrize(("a", "b", "expected"), [
    # Plain weekly rules.
    (rule(), rule(), date(2027, 2, 6)),
    (rule(), rule(weekday=MONDAY), None),
    (rule(start=time(9), end=time(12)), rule(start=time(12), end=time(16)), None),  # touching
    (rule(start=time(9), end=time(12)), rule(start=time(11, 59), end=time(16)),
     date(2027, 2, 6)),
    (rule(start=time(9), end=time(17)), rule(start=time(10), end=time(11)), date(2027, 2, 6)),
    # Another place makes no difference: one person is in one place at a time.
    (rule(), rule(location="wismar"), date(2027, 2, 6)),
    # Validity periods.
    (rule(ends_on=date(2027, 2, 10)), rule(starts_on=date(2027, 2, 11)), None),
    (rule(ends_on=date(2027, 2, 13)), rule(starts_on=date(2027, 2, 11)), date(2027, 2, 13)),
    (rule(ends_on=date(2027, 2, 6)), rule(starts_on=date(2027, 2, 6)), date(2027, 2, 6)),  # incl.
    (rule(ends_on=date(2027, 2, 12)), rule(starts_on=date(2027, 2, 7)), None),  # no Saturday
    (rule(starts_on=date(2027, 6, 1)), rule(ends_on=date(2027, 5, 31)), None),
    # Every two weeks: alternating weeks never meet, the same phase does.
    (rule(every=2), rule(every=2, starts_on=date(2027, 2, 8)), None),
    (rule(every=2), rule(every=2, starts_on=date(2027, 2, 15)), date(2027, 2, 20)),
    (rule(every=2), rule(every=1, starts_on=date(2027, 2, 8)), date(2027, 2, 20)),
    # Weeks count from the week of starts_on, not from the first working day: a rule valid from
    # Sunday 7 February is in week 0 with rules from Monday 1 February, so it works on the 20th.
    (rule(every=2), rule(every=2, starts_on=date(2027, 2, 7)), date(2027, 2, 20)),
    # Coprime periods meet eventually (Chinese remainder theorem) …
    (rule(every=2), rule(every=3, starts_on=date(2027, 2, 8)), date(2027, 3, 6)),
    # … periods sharing a factor only when their phases agree modulo that factor.
    (rule(every=2), rule(every=4, starts_on=date(2027, 2, 8)), None),
    (rule(every=2), rule(every=4, starts_on=date(2027, 2, 15)), date(2027, 2, 20)),
    (rule(every=12), rule(every=11, starts_on=date(2027, 2, 8)), date(2027, 5, 1)),
    # A period that ends before the phases meet.
    (rule(every=2), rule(every=3, starts_on=date(2027, 2, 8), ends_on=date(2027, 3, 5)), None),
])
def test_first_clash_day(a, b, expected):
    assert first_clash_day(a, b) == expected
    assert first_clash_day(b, a) == expected  # symmetric


def test_earliest_clash_names_the_rule_met_first():
    candidate = rule(every=1)
    others = [("later", rule(every=2, starts_on=date(2027, 2, 15))),
              ("never", rule(weekday=MONDAY)),
              ("sooner", rule(starts_on=date(2027, 2, 13), ends_on=date(2027, 2, 13)))]
    assert earliest_clash(candidate, others) == ("sooner", date(2027, 2, 13))
    assert earliest_clash(candidate, others[1:2]) is None
    assert earliest_clash(candidate, []) is None
