# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What contacting one person with one offer on one channel is worth, in one
place:

- the *cost* of the contact is the offer's own cost on the channel (a
  voucher, a sample in the letter) plus the channel's cost per contact (an
  e-mail, a stamp, a caller's minutes);
- its *expected value* is the probability that the person accepts x the
  offer's value per acceptance;
- its *expected profit* is the expected value - the cost.

The optimiser maximises the sum of the chosen candidates' expected profits
(:attr:`Problem.profit`, its ``value`` being the expected value), the
scenario builds its candidates with :func:`expected_value` and the SQL form
of the cost, and next-best-action ranks a person's offers by the SQL form of
:func:`expected_profit` (``marketing.offer._expected_profit_sql``, the same
arithmetic in one query; ``tests/test_next_best_action.py`` proves the two
forms and the optimiser's profit equal). :func:`priced_value` goes one step
further and subtracts what the budgets and capacities a candidate uses are
worth to a plan.
"""

import numpy as np


def contact_cost(offer_cost, channel_cost):
    """The cost of one contact: the offer's own cost on the channel + the
    channel's cost per contact (missing: 0)."""
    return np.add(offer_cost or 0.0, channel_cost or 0.0)


def expected_value(probability, value):
    """Probability of acceptance x value per acceptance (arrays or numbers)."""
    return np.multiply(probability, value)


def expected_profit(probability, value, cost):
    """Expected value - the cost of the contact (arrays or numbers)."""
    return np.subtract(expected_value(probability, value), cost)
