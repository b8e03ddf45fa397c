"""Shared fixtures for the top-level tests (not Odoo unit tests).

They run inside the same pytest session as the addons' Odoo tests
(setup/test.sh), so pytest-odoo has loaded Odoo's configuration already.
"""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run_script(args, env=None, timeout=300):
    """Run one of the setup/ scripts and return the CompletedProcess.

    :param args: the script (relative to the repository) and its arguments
    :param env: variables to add to (or, with value None, remove from) the environment
    """
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    return subprocess.run(
        [str(ROOT / args[0]), *args[1:]],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def root():
    return ROOT
