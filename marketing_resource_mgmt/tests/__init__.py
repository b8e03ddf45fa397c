from . import test_install
from . import test_segment
from . import test_campaign_template
from . import test_campaign_access
from . import test_campaign_effort
from . import test_campaign_inbound
