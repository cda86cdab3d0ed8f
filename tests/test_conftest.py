"""The compiled-target report of tests/conftest.py, in pytest sessions of its own."""

from pathlib import Path

import pytest

# Loaded before any in-process session: each one unloads the modules it loaded itself, and
# Brian2 must stay the one module of this whole test run.
import neucube._brian  # noqa: F401

CONFTEST = Path(__file__).with_name("conftest.py")

TESTS = """
import pytest


@pytest.mark.skip(reason="cython not available here")
@pytest.mark.brian2_target("cython")
def test_cython():
    pass


@pytest.mark.slow
@pytest.mark.brian2_target("cpp_standalone")
def test_cpp_standalone():
    pass
"""


@pytest.fixture
def session(pytester, monkeypatch):
    """Run a session of two target tests under tests/conftest.py's hooks."""
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makeini("[pytest]\nmarkers =\n    slow: slow")
    pytester.makepyfile(test_targets=TESTS)

    def run(*args, require=None):
        if require is None:
            monkeypatch.delenv("NEUCUBE_REQUIRE_TARGETS", raising=False)
        else:
            monkeypatch.setenv("NEUCUBE_REQUIRE_TARGETS", require)
        return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)

    return run


def test_skipped_and_deselected_targets_are_named_with_the_reason(session):
    result = session("-m", "not slow")
    result.assert_outcomes(skipped=1, deselected=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            "*compiled Brian2 targets*",
            "cython: skipped: test_targets.py::test_cython: cython not available here",
            "cpp_standalone: not run (deselected): test_targets.py::test_cpp_standalone",
        ]
    )


def test_a_required_target_that_did_not_run_fails_the_session(session):
    result = session("-m", "not slow", require="cython")
    result.assert_outcomes(skipped=1, deselected=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["NEUCUBE_REQUIRE_TARGETS=cython but cython did not run*"])


def test_a_target_test_that_never_ran_the_cube_there_fails(session):
    # test_cpp_standalone passes without running any cube: not counted as run, but failed
    result = session("-k", "cpp_standalone", require="cpp_standalone")
    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines(
        [
            "*marked brian2_target('cpp_standalone') but the cube never ran*",
            "cpp_standalone: failed: test_targets.py::test_cpp_standalone",
        ]
    )


def test_an_unknown_required_target_is_a_usage_error(session):
    result = session(require="cython,cuda")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*names *cuda*, not compiled Brian2 targets*"])
