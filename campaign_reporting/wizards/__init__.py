from . import campaign_vendor_token_show
