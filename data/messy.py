"""The generator's vocabulary of messy UK values.

It lives in the addon (``marketing_resource_mgmt/tools/messy.py``), whose demo
data is generated with it; this module loads that file by path so that the
generator, the benchmarks and their smoke test import it without Odoo.
"""

import importlib.util
import pathlib

_PATH = (
    pathlib.Path(__file__).resolve().parents[1]
    / "marketing_resource_mgmt"
    / "tools"
    / "messy.py"
)
_SPEC = importlib.util.spec_from_file_location("_mrm_messy", _PATH)
_MODULE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_MODULE)
globals().update(
    {name: value for name, value in vars(_MODULE).items() if not name.startswith("__")}
)
