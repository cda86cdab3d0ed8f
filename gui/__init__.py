"""The Qt desktop app (PySide6 + pyqtgraph). Nothing imports this package."""
