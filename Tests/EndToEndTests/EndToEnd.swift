import Testing

/// The end-to-end suites nested here run one at a time, so that their machines do not compete for
/// the host's few cores with each other; the rest of the suite runs beside them.
@Suite(.serialized) enum EndToEnd {}
