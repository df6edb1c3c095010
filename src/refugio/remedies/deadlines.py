"""The deadline of a motion to reopen a removal order, in one place. No Django import.

An order made in absentia (the person did not appear, often because they waited in Mexico under MPP)
may be rescinded on a motion to reopen (INA §240(b)(5)(C), 8 U.S.C. 1229a(b)(5)(C)):

- within 180 days of the order if the failure to appear was caused by exceptional circumstances
  (§240(b)(5)(C)(i));
- at any time if the person did not receive notice of the hearing, or was in federal or state custody
  and the failure to appear was through no fault of their own (§240(b)(5)(C)(ii)).

Filing such a motion stays the removal automatically until the immigration judge decides it
(§240(b)(5)(C), last sentence). An order made in the person's presence is not reopened this way: a
general motion to reopen is due within 90 days of the final order (§240(c)(7)(C)(i)); that is given as
information only, since its exceptions are many.

`source` and `explanation` are English text with stable wording; pages show translated words keyed on
`source` (see `remedies.surfaces`), so this module needs no translation machinery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

EXCEPTIONAL_CIRCUMSTANCES = "exceptional_circumstances"
LACK_OF_NOTICE = "lack_of_notice"
IN_CUSTODY = "in_custody"
REASONS = (EXCEPTIONAL_CIRCUMSTANCES, LACK_OF_NOTICE, IN_CUSTODY)

EXCEPTIONAL_CIRCUMSTANCES_DAYS = 180
GENERAL_MOTION_DAYS = 90

# `source` values: the rule that gave the answer.
SOURCE_EXCEPTIONAL = "INA §240(b)(5)(C)(i)"
SOURCE_NO_DEADLINE = "INA §240(b)(5)(C)(ii)"
SOURCE_GENERAL = "INA §240(c)(7)(C)(i)"
SOURCE_UNKNOWN = ""

STAY_NOTE = "Filing the motion stays removal automatically until the judge decides it (INA §240(b)(5)(C))."


@dataclass(frozen=True)
class MotionDeadline:
    due: dt.date | None  # None: no deadline (or none this rule can give)
    source: str  # the provision that gives the answer
    explanation: str
    automatic_stay: bool = False  # filing the motion stays removal
    in_absentia_motion: bool = True  # False: an in-absentia motion to reopen does not apply


def motion_to_reopen_deadline(order_date: dt.date, in_absentia: bool, reason: str | None) -> MotionDeadline:
    """When a motion to reopen this order must be filed, and by which rule.

    180 days are counted as calendar days from the date of the order (day 0), leap days included."""
    if not in_absentia:
        general = order_date + dt.timedelta(days=GENERAL_MOTION_DAYS)
        return MotionDeadline(
            due=None,
            source=SOURCE_GENERAL,
            explanation=(
                "The order was not made in absentia: no in-absentia motion to reopen applies. For information only: "
                f"a general motion to reopen is due within {GENERAL_MOTION_DAYS} days of the final order "
                f"({general.isoformat()}), with exceptions."
            ),
            in_absentia_motion=False,
        )
    if reason == EXCEPTIONAL_CIRCUMSTANCES:
        return MotionDeadline(
            due=order_date + dt.timedelta(days=EXCEPTIONAL_CIRCUMSTANCES_DAYS),
            source=SOURCE_EXCEPTIONAL,
            explanation=(
                f"Exceptional circumstances: the motion must be filed within {EXCEPTIONAL_CIRCUMSTANCES_DAYS} days "
                "of the order. " + STAY_NOTE
            ),
            automatic_stay=True,
        )
    if reason == LACK_OF_NOTICE:
        return MotionDeadline(
            due=None,
            source=SOURCE_NO_DEADLINE,
            explanation="Lack of notice: the motion may be filed at any time. " + STAY_NOTE,
            automatic_stay=True,
        )
    if reason == IN_CUSTODY:
        return MotionDeadline(
            due=None,
            source=SOURCE_NO_DEADLINE,
            explanation="In federal or state custody: the motion may be filed at any time. " + STAY_NOTE,
            automatic_stay=True,
        )
    return MotionDeadline(
        due=None,
        source=SOURCE_UNKNOWN,
        explanation="The ground for reopening is not recorded yet: no deadline can be given.",
        automatic_stay=True,
    )


def days_left(due: dt.date | None, today: dt.date) -> int | None:
    """Days from today until the deadline (negative once it has passed); None without a deadline."""
    return None if due is None else (due - today).days
