from . import test_install
from . import test_matching_text
from . import test_matching_sql
from . import test_allocation
