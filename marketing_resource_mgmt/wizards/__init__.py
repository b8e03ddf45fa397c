from . import marketing_campaign_phase_override
