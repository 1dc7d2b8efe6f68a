#ifndef ECGXAI_FUZZ_DRIVER_H
#define ECGXAI_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver (command-line options, corpus, fork mode) on `test_one_input`: the
/// `main` of a fuzz target. SwiftPM renames an executable's `main` to `MODULE_main` in debug
/// builds on Linux (so tests can link it), which hides libFuzzer's own `main`; each target
/// therefore defines `MODULE_main` and calls this.
int ecgxai_fuzz_main(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size));

#endif
