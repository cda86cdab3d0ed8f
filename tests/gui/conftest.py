"""GUI tests run headless: Qt's offscreen platform unless one is set (e.g. xcb under Xvfb)."""

import os

# before Qt is imported anywhere (pytest-qt imports it when its fixtures run)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from pathlib import Path

import pytest

from acquisition.stream import configure_lsl

configure_lsl(resolve_scope="machine")  # before liblsl loads: local only, quiet


def pytest_configure(config):
    # before pytest-qt creates the QApplication, as gui.app.run_app does: GL views
    # made one after another share pyqtgraph's shader programs (under Xvfb)
    from PySide6 import QtCore

    QtCore.QCoreApplication.setAttribute(QtCore.Qt.AA_ShareOpenGLContexts)


#: Screenshots and other files for people to look at (gitignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
