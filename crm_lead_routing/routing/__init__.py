# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure allocation of leads to assignees (no ORM), used by crm.routing.rule."""

from .allocation import (
    SKIP_CAPACITY,
    SKIP_INACTIVE,
    SKIP_NO_WEIGHT,
    STRATEGIES,
    Allocation,
    Candidate,
    allocate,
)
from .pgarray import pg_array
