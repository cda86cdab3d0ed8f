"""Where the cube runs: toolchain probing, code-generation target choice, cache.

Brian2 can simulate the cube with three code-generation targets (see
:data:`TARGETS`); which ones work depends on the tools installed (C and C++
compilers, Cython, the Python headers). This module finds them without
importing Brian2, resolves a target setting (``'auto'`` included) to the target
to use, and names the folder where compiled standalone projects are kept.
:mod:`neucube.cube` (the model) and :mod:`neucube._brian` (the simulators)
both use it; it imports neither.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import sysconfig
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _pkg_version

import numpy as np

from ._logging import log_once

__all__ = [
    "AUTO_STANDALONE_MIN_STEPS",
    "TARGETS",
    "available_targets",
    "cache_dir",
    "select_target",
    "target_info",
]

#: Brian2 code-generation targets a cube can run on, slowest first.
TARGETS = ("numpy", "cython", "cpp_standalone")

#: With ``target="auto"``, inference batches of at least this many steps (all
#: samples together; 30 min of EEG at 256 Hz) run as C++ standalone when a C++
#: compiler is usable. Its build (up to ~20 s the first time, about a second
#: with cached code) pays off only on long runs, and with NeuCube's default
#: (near-saturated) activity it is about 2x faster than Cython for inference
#: and no faster for STDP, so learning stays on Cython.
AUTO_STANDALONE_MIN_STEPS = 460_800


def _version_of(package: str) -> str | None:
    """Return the installed version of a distribution, or None."""
    try:
        return _pkg_version(package)
    except PackageNotFoundError:
        return None


@functools.cache
def _probe_toolchain() -> dict:
    """Find compilers, Cython and Python headers without compiling anything."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    cxx = (
        os.environ.get("CXX")
        or shutil.which("c++")
        or shutil.which("g++")
        or shutil.which("clang++")
    )
    include = sysconfig.get_paths().get("include") or ""
    headers = os.path.isfile(os.path.join(include, "Python.h"))
    cython = importlib.util.find_spec("Cython") is not None
    return {
        "c_compiler": cc if cc and shutil.which(cc.split()[0]) else None,
        "cxx_compiler": cxx if cxx and shutil.which(cxx.split()[0]) else None,
        "cython": _version_of("Cython") if cython else None,
        "python_headers": headers,
    }


@functools.cache
def _compile_check(compiler: str) -> bool:
    """Compile and link a tiny C++ program with ``compiler`` (~0.3 s, cached)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="neucube-cxx-") as tmp:
        src = os.path.join(tmp, "t.cpp")
        with open(src, "w") as f:
            f.write("#include <vector>\nint main(){std::vector<int> v(3);return v[0];}\n")
        try:
            res = subprocess.run(
                [*compiler.split(), src, "-o", os.path.join(tmp, "t")],
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            return False
        return res.returncode == 0


def available_targets(check: bool = False) -> tuple[str, ...]:
    """List the Brian2 code-generation targets usable on this machine.

    Parameters
    ----------
    check : bool
        If ``False`` (default) only look for the tools (C and C++ compilers,
        Cython and the Python headers for ``'cython'``; a C++ compiler for
        ``'cpp_standalone'``): no compilation, a few milliseconds. If ``True``,
        also compile a tiny C++ program to prove the C++ compiler works (about
        a second, then cached).

    Returns
    -------
    targets : tuple of str
        The usable targets, fastest first; ``'numpy'`` is always there.
    """
    tools = _probe_toolchain()
    out = []
    cxx_ok = tools["cxx_compiler"] is not None
    if cxx_ok and check:
        cxx_ok = _compile_check(tools["cxx_compiler"])
    if cxx_ok:
        out.append("cpp_standalone")
    if (
        tools["c_compiler"] is not None
        and cxx_ok
        and tools["cython"] is not None
        and tools["python_headers"]
    ):
        out.append("cython")  # Brian2 compiles its Cython code as C++
    out.append("numpy")
    return tuple(out)


def select_target(
    target: str = "auto",
    n_steps: int | None = None,
    reset: bool = True,
    learn: bool = False,
) -> str:
    """Resolve a code-generation target setting to the target to use.

    Parameters
    ----------
    target : ``'auto'`` | ``'numpy'`` | ``'cython'`` | ``'cpp_standalone'``
        The setting. ``'auto'`` picks ``'cython'`` when a C compiler, Cython and
        the Python headers are there, else ``'numpy'`` (logged once), and
        ``'cpp_standalone'`` for batches of at least
        :data:`AUTO_STANDALONE_MIN_STEPS` steps of inference when a C++
        compiler is there.
        The fallback to ``'numpy'`` is logged once, as a warning.
        An explicit target that is not available raises an error.
    n_steps : int | None
        Number of steps of the run about to start (all samples together);
        ``None`` when not known (then ``'auto'`` never picks standalone).
    reset : bool
        Whether that run resets the state at each sample's start. Standalone
        cannot continue a live stream, so ``reset=False`` never gets it from
        ``'auto'``.
    learn : bool
        Whether that run learns (STDP); ``'auto'`` never picks standalone then.

    Returns
    -------
    target : str
        One of ``'numpy'``, ``'cython'``, ``'cpp_standalone'``.
    """
    allowed = ("auto",) + TARGETS
    if target not in allowed:
        raise ValueError(
            f"target must be one of {allowed}, got {target!r}. Use 'auto' to let "
            "NeuCube-EEG pick the fastest available one."
        )
    avail = available_targets()
    if target != "auto":
        if target not in avail:
            tools = _probe_toolchain()
            missing = (
                "a C++ compiler"
                if target == "cpp_standalone"
                else ", ".join(
                    what
                    for what, ok in (
                        ("a C compiler", tools["c_compiler"]),
                        ("a C++ compiler", tools["cxx_compiler"]),
                        ("Cython", tools["cython"]),
                        ("the Python headers (Python.h)", tools["python_headers"]),
                    )
                    if not ok
                )
            )
            raise RuntimeError(
                f"The code-generation target {target!r} is not available here: "
                f"{missing} is missing. Install it, or use target='auto' or "
                "target='numpy' (slower)."
            )
        return target
    if (
        "cpp_standalone" in avail
        and reset
        and not learn
        and n_steps is not None
        and n_steps >= AUTO_STANDALONE_MIN_STEPS
    ):
        return "cpp_standalone"
    if "cython" in avail:
        return "cython"
    log_once(
        30,
        "auto-numpy",
        "target='auto': Cython is not usable here (it needs C and C++ compilers, "
        "Cython and the Python headers); simulating the cube with Brian2's "
        "'numpy' target, about 4x slower.",
    )
    return "numpy"


def target_info(target: str = "auto", check: bool = True) -> dict:
    """Describe the simulation back end, e.g. for ``neucube info``.

    Parameters
    ----------
    target : str
        The target setting to resolve (see :func:`select_target`).
    check : bool
        Whether to prove the C++ compiler works by compiling a tiny program.

    Returns
    -------
    info : dict
        ``target`` (what ``target`` resolves to for an ordinary run),
        ``available`` (tuple), ``c_compiler``, ``cxx_compiler`` (paths or
        ``None``), ``cxx_usable`` (bool), ``cython`` (version or ``None``),
        ``python_headers`` (bool), ``brian2`` and ``numpy`` (versions) and
        ``cache_dir`` (where compiled code is kept).
    """
    tools = dict(_probe_toolchain())
    avail = available_targets(check=check)
    try:
        resolved = select_target(target)
    except RuntimeError:
        resolved = None
    return {
        "target": resolved,
        "available": avail,
        **tools,
        "cxx_usable": "cpp_standalone" in avail,
        "brian2": _version_of("brian2"),
        "numpy": np.__version__,
        "cache_dir": cache_dir(),
    }


def cache_dir() -> str:
    """Directory for compiled standalone projects (never inside the repository).

    ``$NEUCUBE_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/neucube-eeg`` (by
    default ``~/.cache/neucube-eeg``). Cython's compiled code is kept in
    Brian2's own cache (``~/.cython/brian_extensions``).

    Returns
    -------
    path : str
        The directory (not created here).
    """
    env = os.environ.get("NEUCUBE_CACHE_DIR")
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "neucube-eeg")
