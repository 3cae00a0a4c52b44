"""Tests for ``fakeaws coverage`` (fakeaws.coverage and fakeaws.__main__)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import botocore
import botocore.session
import pytest

from fakeaws.__main__ import main
from fakeaws.coverage import (
    PLANNED_SERVICES,
    coverage_report,
    markdown_botocore_version,
    render_markdown,
    render_text,
)
from fakeaws.services import registry
from fakeaws.services.base import Backend

REPO = Path(__file__).resolve().parents[1]
COVERAGE_MD = REPO / "docs" / "coverage.md"

LINE = re.compile(r"^(?P<service>\S+)\s+(?P<done>\d+)/(?P<total>\d+)\s+\((?P<percent>\d+)%\)$")


@cache
def model_operations(service: str) -> tuple[str, ...]:
    """Straight from botocore, not through fakeaws."""
    return tuple(botocore.session.get_session().get_service_model(service).operation_names)


def table(out: str) -> dict[str, tuple[int, int, int]]:
    """The service lines of the text output: service -> (implemented, total, percent)."""
    rows = {}
    for line in out.splitlines():
        match = LINE.match(line)
        if match:
            rows[match["service"]] = (
                int(match["done"]),
                int(match["total"]),
                int(match["percent"]),
            )
    return rows


def run_fakeaws(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, "-m", "fakeaws", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_report_lists_planned_services_then_other_registered_ones():
    import botocore.session

    available = set(botocore.session.get_session().get_available_services())
    assert set(PLANNED_SERVICES) <= available  # every planned name is a real botocore service
    reported = [s.service for s in coverage_report()]
    assert reported[: len(PLANNED_SERVICES)] == list(PLANNED_SERVICES)
    assert reported[len(PLANNED_SERVICES) :] == [
        s for s in registry.BACKENDS if s not in PLANNED_SERVICES
    ]


def test_sts_get_caller_identity_implemented_assume_role_missing(capsys):
    assert main(["coverage", "--service", "sts", "-v"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert LINE.match(lines[0])["service"] == "sts"
    listed = [line.strip() for line in lines[1:]]
    assert "GetCallerIdentity" in listed
    assert "AssumeRole" not in listed

    (sts,) = coverage_report(["sts"])
    assert "GetCallerIdentity" in sts.implemented
    assert "AssumeRole" in sts.missing
    assert "AssumeRole" not in sts.implemented


def test_counts_match_botocore_model(capsys):
    assert main(["coverage"]) == 0
    rows = table(capsys.readouterr().out)
    assert set(rows) == set(PLANNED_SERVICES) | set(registry.BACKENDS)
    for service, (done, total, percent) in rows.items():
        implemented = registry.implemented_operations(service)
        assert total == len(model_operations(service)), service
        assert done == len(implemented), service
        assert percent == done * 100 // total, service
    assert rows["sts"][0] >= 1


def test_report_partitions_model_operations():
    for cov in coverage_report():
        ops = model_operations(cov.service)
        assert cov.total == len(ops)
        assert cov.implemented + cov.missing == sorted(ops, key=lambda op: op in cov.missing), (
            "implemented and missing partition the model, each in model order"
        )
        assert cov.implemented == registry.implemented_operations(cov.service)


def test_verbose_lists_implemented_operations(capsys):
    assert main(["coverage", "--verbose"]) == 0
    out = capsys.readouterr().out
    for cov in coverage_report():
        for op in cov.implemented:
            assert f"    {op}\n" in out
    for op in model_operations("sts"):
        if op not in registry.implemented_operations("sts"):
            assert f"    {op}\n" not in out


def test_markdown_writes_checklist(tmp_path, capsys):
    path = tmp_path / "sub" / "coverage.md"
    assert main(["coverage", "--markdown", str(path)]) == 0
    assert str(path) in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")

    assert text.startswith("# ")
    assert "python -m fakeaws coverage --markdown docs/coverage.md" in text
    assert "by hand" in text
    assert markdown_botocore_version(text) == botocore.__version__
    assert "| service | implemented | total | % |" in text
    assert "- [x] GetCallerIdentity\n" in text
    assert "- [ ] AssumeRole\n" in text

    sections = dict(re.findall(r"^## (\S+)\n(.*?)(?=^## |\Z)", text, re.M | re.S))
    assert set(sections) == set(PLANNED_SERVICES) | set(registry.BACKENDS)
    for service, body in sections.items():
        implemented = set(registry.implemented_operations(service))
        checklist = re.findall(r"^- \[([x ])\] (\S+)$", body, re.M)
        assert [op for _, op in checklist] == list(model_operations(service)), service
        assert {op for mark, op in checklist if mark == "x"} == implemented, service
        assert f"| [{service}](#{service}) | {len(implemented)} | " in text


def test_markdown_to_stdout(capsys):
    assert main(["coverage", "--markdown", "-", "--service", "sts"]) == 0
    assert capsys.readouterr().out == render_markdown(coverage_report(["sts"]))


def test_service_restricts_output(capsys, tmp_path):
    assert main(["coverage", "--service", "sts", "--service", "sqs"]) == 0
    out = capsys.readouterr().out
    assert [LINE.match(line)["service"] for line in out.splitlines()] == ["sts", "sqs"]

    # Any botocore service can be asked for, planned or not.
    assert main(["coverage", "--service", "s3"]) == 0
    assert list(table(capsys.readouterr().out)) == ["s3"]

    path = tmp_path / "sts.md"
    assert main(["coverage", "--service", "sts", "--markdown", str(path)]) == 0
    assert re.findall(r"^## (\S+)$", path.read_text(encoding="utf-8"), re.M) == ["sts"]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["coverage", "--bogus"],
        ["coverage", "extra"],
        ["coverage", "--service"],
        ["coverage", "--service", "no-such-service"],
    ],
)
def test_bad_usage_returns_2(argv, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "usage: fakeaws" in captured.err


def test_help_returns_0(capsys):
    assert main(["--help"]) == 0
    assert "coverage" in capsys.readouterr().out


def test_registered_backend_is_reported(capsys):
    """The report follows registry.BACKENDS: a backend registered by a test suite shows up."""

    class FakeS3(Backend):
        service = "s3"
        iam_prefix = "s3"

        def list_buckets(self, call):
            return {"Buckets": []}

    registered_before = "s3" in registry.BACKENDS
    with registry.override_backend("s3", FakeS3):
        assert main(["coverage"]) == 0
        rows = table(capsys.readouterr().out)
        (s3,) = [cov for cov in coverage_report() if cov.service == "s3"]
    assert rows["s3"] == (1, len(model_operations("s3")), 100 // len(model_operations("s3")))
    assert s3.implemented == ["ListBuckets"]
    assert ("s3" in table(render_text(coverage_report()))) == registered_before


def test_docs_coverage_md_is_up_to_date(tmp_path):
    """docs/coverage.md must be what `python -m fakeaws coverage --markdown ...` makes now.

    The page is regenerated in a fresh interpreter (the command itself, whose
    output is render_markdown(coverage_report())), not in this process: other
    tests may register extra backends for the rest of the session, which must
    not leak into the page.

    The page depends on the botocore version (its models list the operations),
    and only one botocore is installed, so it cannot be regenerated with another
    one. When the version recorded in the page is the installed one, the page
    must match byte for byte (any difference: regenerate it). Otherwise - CI on
    another botocore - the check is version-independent: every reported service
    has its section, and nothing implemented now is still unchecked there.
    """
    assert COVERAGE_MD.is_file(), "run: python -m fakeaws coverage --markdown docs/coverage.md"
    committed = COVERAGE_MD.read_text(encoding="utf-8")
    stale = "docs/coverage.md is stale; run: python -m fakeaws coverage --markdown docs/coverage.md"

    if markdown_botocore_version(committed) == botocore.__version__:
        fresh = tmp_path / "coverage.md"
        result = run_fakeaws("coverage", "--markdown", str(fresh))
        assert result.returncode == 0, result.stderr
        assert committed == fresh.read_text(encoding="utf-8"), stale
    # On any botocore: every reported service has its section, and nothing implemented now
    # is still unchecked in its own service's section.
    result = run_fakeaws("coverage", "--verbose")
    assert result.returncode == 0, result.stderr
    services = re.findall(r"^(\S+) ", result.stdout, re.M)
    sections = dict(re.findall(r"^## (\S+)\n(.*?)(?=^## |\Z)", committed, re.M | re.S))
    assert set(sections) >= set(services), stale
    service = None
    for line in result.stdout.splitlines():
        if line and not line.startswith(" "):
            service = line.split()[0]
        elif line.strip():  # an implemented operation of `service`
            op = line.strip()
            assert f"- [ ] {op}\n" not in sections[service], f"{service}.{op}: {stale}"


def test_python_m_fakeaws_entry_point(tmp_path):
    result = run_fakeaws("coverage", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = table(result.stdout)
    assert set(rows) >= set(PLANNED_SERVICES)
    assert rows["sts"][1] == len(model_operations("sts"))
    assert rows["sts"][0] == len(registry.implemented_operations("sts"))

    result = run_fakeaws(cwd=tmp_path)
    assert result.returncode == 2
    assert "usage: fakeaws" in result.stderr
