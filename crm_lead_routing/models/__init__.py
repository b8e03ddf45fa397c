from . import crm_match_abbreviation
from . import crm_match_alias_list
from . import crm_match_criterion_mixin
