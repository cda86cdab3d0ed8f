"""The fault catalogue and the fuzzers: bad inputs, each with what must happen."""
