"""LSL traffic of these tests stays on this machine and liblsl stays quiet.

liblsl reads its configuration once, when it is loaded: this runs before any
test module of this folder is imported.
"""

from acquisition.stream import configure_lsl

configure_lsl(resolve_scope="machine")  # before liblsl loads: local only, quiet
