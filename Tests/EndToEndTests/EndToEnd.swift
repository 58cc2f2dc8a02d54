import Testing

/// Every end-to-end suite runs the built binary against local machines; they run one at a time so
/// that their machines do not compete for the host's few cores.
@Suite(.serialized) enum EndToEnd {}
