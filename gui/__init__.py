"""The Qt desktop app (PySide6 + pyqtgraph). Nothing imports this package.

Modules
-------
app
    Entry points: :func:`gui.app.main` (``python -m gui``),
    :func:`gui.app.run_app`, :func:`gui.app.display_available`. Cheap to
    import: Qt is loaded only when the window opens.
window
    :class:`gui.window.MainWindow`: controls, layout, the GUI timer that
    pulls data from the worker and redraws, alert review and export.
widgets
    The EEG view, the spike rasters, the probability plot, the alert panel,
    the trial table, the status line.
cube_view
    The cube in 3D (``pyqtgraph.opengl``) or, without OpenGL, as two 2D
    projections; :func:`gui.cube_view.opengl_available`.
worker
    Everything that computes, in threads, without Qt: sources, model
    loading, the pipeline worker, the EEG history, the alert store thread.
bench_fps
    Frame-rate measurement (``python -m gui.bench_fps``).
"""
