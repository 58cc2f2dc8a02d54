import Testing

/// The end-to-end suites nested here run one at a time, so that their machines do not compete for
/// the host's few cores (the README's `--no-parallel` serialises the others).
@Suite(.serialized) enum EndToEnd {}
