from . import crm_routing_simulation
from . import crm_routing_reassign
