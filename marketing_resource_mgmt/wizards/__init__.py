from . import marketing_segment_preview
from . import marketing_segment_overlap
from . import marketing_segment_cluster
from . import marketing_segment_import
from . import marketing_campaign_phase_override
from . import marketing_call_outcome_wizard
from . import marketing_segment_import_consent
from . import marketing_inbound_call_wizard
