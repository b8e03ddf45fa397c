from . import marketing_library_tag
from . import marketing_segment
from . import marketing_segment_criterion
from . import marketing_partner_behaviour
from . import res_partner
from . import sale_order
from . import account_move
