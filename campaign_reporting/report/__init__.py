from . import campaign_pnl_xlsx
