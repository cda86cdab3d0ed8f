"""Which compiled Brian2 targets the tests exercised, said at the end of every run.

A test of a compiled code-generation target is marked
``@pytest.mark.brian2_target("cython")``. While it runs, the cube's simulators
count their runs per target, so a target counts as run only when its test
passed *and* the cube really ran on it. The terminal summary lists each
compiled target as run, skipped (with the reason the test gave) or not run
(deselected, or no such test collected), whenever a test of one was collected.

``NEUCUBE_REQUIRE_TARGETS`` (comma-separated, e.g. ``cython,cpp_standalone``)
names targets that must run: the session fails when one of them did not, so
a machine whose compiler went missing cannot pass by skipping.
"""

import os

import pytest

pytest_plugins = ("pytester",)  # tests/test_conftest.py runs these hooks in sessions of its own

#: The compiled targets reported on (``numpy`` needs no compiler and runs everywhere).
COMPILED_TARGETS = ("cython", "cpp_standalone")
REQUIRE_ENV = "NEUCUBE_REQUIRE_TARGETS"

_RECORD = pytest.StashKey[dict]()
_RUNS = pytest.StashKey[dict]()
_REQUIRED = pytest.StashKey[list]()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "brian2_target(name): the test runs the cube on this compiled Brian2 target "
        "(see tests/conftest.py)",
    )
    config.stash[_RECORD] = {
        t: {"selected": [], "deselected": [], "ran": [], "skipped": [], "failed": []}
        for t in COMPILED_TARGETS
    }
    config.stash[_REQUIRED] = _required()


def _target_of(item):
    marker = item.get_closest_marker("brian2_target")
    if marker is None:
        return None
    target = marker.args[0] if marker.args else None
    if target not in COMPILED_TARGETS:
        raise pytest.UsageError(
            f"{item.nodeid}: brian2_target({target!r}) names no compiled target; "
            f"use one of {list(COMPILED_TARGETS)}."
        )
    return target


def pytest_deselected(items):
    for item in items:
        target = _target_of(item)
        if target is not None:
            item.config.stash[_RECORD][target]["deselected"].append(item.nodeid)


def pytest_collection_finish(session):
    for item in session.items:
        target = _target_of(item)
        if target is not None:
            session.config.stash[_RECORD][target]["selected"].append(item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if _target_of(item) is None:
        return (yield)
    from neucube import _brian

    counts = {}
    originals = {}
    for cls in (_brian.RuntimeSimulator, _brian.StandaloneSimulator):
        original = cls.__dict__["run"]

        def run(self, *args, _original=original, **kwargs):
            out = _original(self, *args, **kwargs)
            counts[self.target] = counts.get(self.target, 0) + 1
            return out

        originals[cls] = original
        cls.run = run
    try:
        return (yield)
    finally:
        for cls, original in originals.items():
            cls.run = original
        item.stash[_RUNS] = counts


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    target = _target_of(item)
    if target is None:
        return report
    record = item.config.stash[_RECORD][target]
    if report.skipped and report.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        record["skipped"].append((item.nodeid, reason.removeprefix("Skipped: ")))
    elif report.failed:
        record["failed"].append(item.nodeid)
    elif report.when == "call" and report.passed:
        runs = item.stash.get(_RUNS, {}).get(target, 0)
        if runs:
            record["ran"].append((item.nodeid, runs))
        else:
            record["failed"].append(item.nodeid)
            report.outcome = "failed"
            report.longrepr = (
                f"{item.nodeid} is marked brian2_target({target!r}) but the cube never ran "
                f"on {target!r} during it."
            )
    return report


def _status(record):
    """Return (ran, line) for one target's record."""
    if record["ran"]:
        return True, "ran: " + ", ".join(f"{n} ({k} cube runs)" for n, k in record["ran"])
    if record["failed"]:
        return False, "failed: " + ", ".join(record["failed"])
    if record["skipped"]:
        return False, "skipped: " + "; ".join(f"{n}: {why}" for n, why in record["skipped"])
    if record["deselected"]:
        return False, "not run (deselected): " + ", ".join(record["deselected"])
    if record["selected"]:
        return False, "not run: " + ", ".join(record["selected"])
    return False, "not run (no test of it collected)"


def _required():
    """Return the targets NEUCUBE_REQUIRE_TARGETS names (checked)."""
    wanted = [t.strip() for t in os.environ.get(REQUIRE_ENV, "").split(",") if t.strip()]
    unknown = [t for t in wanted if t not in COMPILED_TARGETS]
    if unknown:
        raise pytest.UsageError(
            f"{REQUIRE_ENV}={os.environ[REQUIRE_ENV]!r} names {unknown}, not compiled Brian2 "
            f"targets; use a comma-separated subset of {list(COMPILED_TARGETS)}."
        )
    return wanted


def _missing(config):
    """Return the required targets that did not run."""
    record = config.stash[_RECORD]
    return [t for t in config.stash[_REQUIRED] if not _status(record[t])[0]]


def pytest_sessionfinish(session, exitstatus):
    if _missing(session.config) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    record = config.stash[_RECORD]
    seen = any(r["selected"] or r["deselected"] for r in record.values())
    if not seen and not config.stash[_REQUIRED]:
        return  # a run of other tests: nothing to say
    terminalreporter.section("compiled Brian2 targets")
    for target in COMPILED_TARGETS:
        ran, line = _status(record[target])
        terminalreporter.line(f"{target}: {line}", green=ran, yellow=not ran)
    missing = _missing(config)
    if missing:
        terminalreporter.line(
            f"{REQUIRE_ENV}={os.environ[REQUIRE_ENV]} but {', '.join(missing)} did not run: "
            "the session fails. Run their tests (marked slow) where a C and C++ compiler "
            f"work (`neucube info` lists the targets), or unset {REQUIRE_ENV}.",
            red=True,
        )
