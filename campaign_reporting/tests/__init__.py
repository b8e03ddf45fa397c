from . import test_install
from . import test_kpi_arithmetic
from . import test_kpi
