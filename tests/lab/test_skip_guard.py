"""Proof that conftest.py's hook turns any skip in the lab suite into a failing session.

A throw-away copy of tests/lab/conftest.py is run by a separate pytest process over tiny test files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")


def _run_pytest(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # pins the rootdir to this throw-away suite
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text())
    (tmp_path / "test_tiny.py").write_text(body)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},  # hypothesis/schemathesis cost seconds
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("import pytest\n\n@pytest.mark.skip(reason='x')\ndef test_a():\n    pass\n", id="marker"),
        pytest.param("import pytest\n\ndef test_a():\n    pytest.skip('no root')\n", id="imperative"),
        pytest.param(
            "import pytest\npytest.skip('module', allow_module_level=True)\n\ndef test_a():\n    pass\n",
            id="module-level",
        ),
        pytest.param(
            "import pytest\n\ndef test_ok():\n    pass\n\n@pytest.mark.skipif(True, reason='x')\ndef test_b():\n    pass\n",
            id="one-of-two",
        ),
    ],
)
def test_a_skipped_lab_test_fails_the_session(tmp_path: Path, body: str) -> None:
    res = _run_pytest(tmp_path, body)
    assert res.returncode == pytest.ExitCode.TESTS_FAILED, res.stdout + res.stderr
    assert "SKIPPED LAB TESTS FAIL THE SESSION" in res.stdout
    assert "test_tiny.py" in res.stdout


def test_passing_and_xfail_tests_keep_the_session_green(tmp_path: Path) -> None:
    body = (
        "import pytest\n\ndef test_ok():\n    pass\n\n@pytest.mark.xfail(reason='known')\ndef test_x():\n    assert 0\n"
    )
    res = _run_pytest(tmp_path, body)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SKIPPED LAB TESTS" not in res.stdout
