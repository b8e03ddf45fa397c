from . import campaign_pnl_xlsx
from . import campaign_review
