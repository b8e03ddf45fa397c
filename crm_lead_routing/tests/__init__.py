from . import test_matching_text
from . import test_matching_sql
