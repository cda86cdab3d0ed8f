"""LSL traffic of the catalogue's live cases stays on this machine (see tests/acquisition/stream)."""

from acquisition.stream import configure_lsl

configure_lsl(resolve_scope="machine")  # before liblsl loads: local only, quiet
