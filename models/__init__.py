"""Task level: readouts, estimators, detectors, scoring, alert store and CLI."""

import logging

logger = logging.getLogger("neucube.models")
