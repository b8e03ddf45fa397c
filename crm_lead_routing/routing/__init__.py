# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The routing engine (no ORM): allocation of leads to assignees, typed
decisions and the run that holds them; used by crm.routing.rule and crm.lead."""

from .allocation import (
    SKIP_CAPACITY,
    SKIP_EXCLUDED,
    SKIP_INACTIVE,
    SKIP_NO_WEIGHT,
    STRATEGIES,
    Allocation,
    Candidate,
    allocate,
)
from .engine import Decision, RoutingRun, period_start
from .pgarray import pg_array
