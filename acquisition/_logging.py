"""Logger of the acquisition package (a child of the ``neucube`` logger)."""

import logging

logger = logging.getLogger("neucube.acquisition")
