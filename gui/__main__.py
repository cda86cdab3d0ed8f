"""``python -m gui``: open the NeuCube-EEG desktop app (see :func:`gui.app.main`)."""

from .app import main

if __name__ == "__main__":  # the pipeline's worker process re-imports this module
    raise SystemExit(main())
