"""The setup scripts fail clearly, and our addons uninstall cleanly."""

import os
import socket
import subprocess
import textwrap

from conftest import ROOT, run_script


def _assert_clean_failure(proc, *needles):
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "Traceback" not in out, out
    for needle in needles:
        assert needle in out, out


def test_missing_odoo_source_exits_2_with_instructions(tmp_path):
    proc = run_script(["setup/install.sh"], env={"ODOO_SRC": str(tmp_path / "nowhere")})
    _assert_clean_failure(
        proc, "Odoo 18.0 Community source tree was not found", "ODOO_SRC"
    )
    assert proc.returncode == 2
    assert "branch 18.0" in proc.stderr


def test_postgresql_not_answering_is_reported(tmp_path):
    # a port where no PostgreSQL listens stands for a server that is down
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    proc = run_script(
        ["setup/install.sh"], env={"PGHOST": "127.0.0.1", "PGPORT": str(free_port)}
    )
    _assert_clean_failure(proc, "PostgreSQL does not answer", str(free_port))


def test_port_taken_is_reported():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = run_script(["setup/run.sh"], env={"MRM_HTTP_PORT": str(port)})
    _assert_clean_failure(proc, f"port {port} is already in use")


def test_setup_is_idempotent_and_fast():
    proc = run_script(["setup/install.sh"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "creating virtual environment" not in proc.stdout
    assert "installing Odoo's requirements" not in proc.stdout


UNINSTALL_SCRIPT = textwrap.dedent(
    """
    addons = [
        "campaign_reporting_dashboard",
        "campaign_reporting",
        "marketing_resource_mgmt",
        "crm_lead_routing",
    ]
    for name in addons:
        mod = env["ir.module.module"].search([("name", "=", name)])
        assert mod.state == "installed", (name, mod.state)
        mod.button_immediate_uninstall()
        env.cr.commit()
        env.invalidate_all()
        env = env(context={})
        state = env["ir.module.module"].search([("name", "=", name)]).state
        assert state == "uninstalled", (name, state)
    # Odoo keeps working: its own models, views and menus load
    env = env(context={})
    lead = env["crm.lead"].create({"name": "after uninstall"})
    assert lead.id
    env["ir.ui.view"]._validate_custom_views("crm")
    env["ir.ui.menu"].load_menus(False)
    leftovers = env["ir.model.data"].search_count(
        [("module", "in", addons), ("model", "not in", ["ir.module.module"])]
    )
    print("LEFTOVER_XMLIDS", leftovers)
    print("UNINSTALL_OK")
    """
)


def test_uninstall_leaves_odoo_working():
    db = os.environ.get("MRM_UNINSTALL_DB")
    conf = os.environ.get("MRM_ODOO_CONF")
    assert db and conf, "run through setup/test.sh, which prepares the uninstall copy"
    python = ROOT / ".venv" / "bin" / "python"
    if os.environ.get("MRM_VENV"):
        python = os.path.join(os.environ["MRM_VENV"], "bin", "python")
    odoo_src = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")
    proc = subprocess.run(
        [
            str(python),
            f"{odoo_src}/odoo-bin",
            "shell",
            "-c",
            conf,
            "-d",
            db,
            "--no-http",
            "--log-level=warn",
        ],
        input=UNINSTALL_SCRIPT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert "UNINSTALL_OK" in proc.stdout, out
    assert "LEFTOVER_XMLIDS 0" in proc.stdout, out
    assert "Traceback" not in out, out
