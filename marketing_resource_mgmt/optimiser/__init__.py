# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The campaign optimiser (no ORM): which contact gets which offer on which
channel, maximising expected value - cost under budgets, channel
capacities, offer volumes and the contact policy. Exact MILP (HiGHS) for
small instances, Lagrangian decomposition for millions of candidates; used
by the scenario screen and next-best-action. See readme/USAGE.md."""

from .baselines import everyone, greedy
from .engine import EXACT_MAX_CANDIDATES, lp_bound, solve
from .problem import (
    BUDGET,
    CAMPAIGN_BUDGET,
    CHANNEL_CAPACITY,
    CONTACT_CAP,
    CONTACT_CHANNEL_CAP,
    LABELS,
    OFFER_MAX,
    OFFER_MIN,
    OptimiserInputError,
    Problem,
)
from .solution import ConstraintReport, Solution, priced_value
from .value import contact_cost, expected_profit, expected_value
