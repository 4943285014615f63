"""The dependency audit gate (`make audit`) run for real against a fake PyPI on this machine.

The real pip-audit, through the real Makefile target, asks `tests/fake_pypi.py` (reached as
pypi.org through HTTPS_PROXY, trusted through REQUESTS_CA_BUNDLE) about a small locked
requirements file of the test's own. No database and no network beyond 127.0.0.1.
"""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.fake_pypi import FakePyPI, advisory

BASE_DIR = Path(__file__).resolve().parent.parent

PINNED = [("django", "5.2.1"), ("celery", "5.5.3"), ("requests", "2.32.3")]
RELEASE_PATHS = [f"/pypi/{name}/{version}/json" for name, version in PINNED]


@pytest.fixture
def fake_pypi(tmp_path):
    fake = FakePyPI(directory=tmp_path)
    fake.start()
    yield fake
    fake.stop()


def _requirements(path: Path, pinned) -> Path:
    # Hashes must be there for --require-hashes; pip-audit reads them but downloads nothing to
    # check them, so made-up ones do.
    path.write_text(
        "".join(
            f"{name}=={version} \\\n"
            f"    --hash=sha256:{hashlib.sha256(f'{name}-{version}'.encode()).hexdigest()}\n"
            for name, version in pinned
        )
    )
    return path


def _make_audit(fake: FakePyPI, requirements: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        # Our own proxy only, and none of an outer make's flags or variables.
        if name.lower() not in {"http_proxy", "all_proxy", "curl_ca_bundle"}
        and name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    }
    env.update(
        HTTPS_PROXY=fake.proxy_url,
        https_proxy=fake.proxy_url,
        NO_PROXY="",
        no_proxy="",
        REQUESTS_CA_BUNDLE=str(fake.ca_path),
    )
    # -o: the venv counts as installed as it is; the audit must never reinstall (or reach out).
    return subprocess.run(
        [
            "make",
            "-s",
            "-o",
            ".venv/.installed",
            "audit",
            f"AUDIT_REQUIREMENTS={requirements}",
            f"AUDIT_CACHE={cache}",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _output(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def test_audit_fails_on_a_known_vulnerability_and_names_it(fake_pypi, tmp_path):
    fake_pypi.publish(
        "django",
        "5.2.1",
        [
            advisory(
                "PYSEC-0000-1",
                aliases=["CVE-0000-0001"],
                fixed_in=["5.2.2"],
                summary="A made-up flaw the fake PyPI reports",
            )
        ],
    )
    fake_pypi.publish("celery", "5.5.3")
    fake_pypi.publish("requests", "2.32.3")

    result = _make_audit(fake_pypi, _requirements(tmp_path / "req.txt", PINNED), tmp_path / "c")

    assert result.returncode != 0, _output(result)
    assert "django" in result.stdout
    assert "PYSEC-0000-1" in result.stdout
    assert "Found 1 known vulnerability in 1 package" in _output(result)
    assert fake_pypi.requested == RELEASE_PATHS, fake_pypi.errors


def test_audit_passes_when_no_locked_package_has_an_advisory(fake_pypi, tmp_path):
    for name, version in PINNED:
        fake_pypi.publish(name, version)

    result = _make_audit(fake_pypi, _requirements(tmp_path / "req.txt", PINNED), tmp_path / "c")

    assert result.returncode == 0, _output(result)
    assert "No known vulnerabilities found" in _output(result)
    # A pass only counts if every pinned package was looked up at the (fake) source.
    assert fake_pypi.tunnels == ["pypi.org:443"] * len(fake_pypi.tunnels)
    assert fake_pypi.requested == RELEASE_PATHS, fake_pypi.errors


def test_audit_fails_on_a_package_pypi_cannot_find(fake_pypi, tmp_path):
    # --strict: what could not be looked up fails the audit instead of passing unseen. This is
    # why CI runs the audit only where pypi.org's JSON API answers.
    fake_pypi.publish("django", "5.2.1")
    fake_pypi.publish("celery", "5.5.3")
    unknown = ("not-on-the-fake-index", "1.0")

    result = _make_audit(
        fake_pypi, _requirements(tmp_path / "req.txt", [*PINNED[:2], unknown]), tmp_path / "c"
    )

    assert result.returncode != 0, _output(result)
    assert "Dependency not found on PyPI" in _output(result)
    assert "not-on-the-fake-index" in _output(result)
    # The 404 came from the fake, not from a PyPI that could not be reached.
    assert fake_pypi.requested[-1] == "/pypi/not-on-the-fake-index/1.0/json", fake_pypi.errors
