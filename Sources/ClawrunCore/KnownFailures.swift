/// The failures the seed document lists, each with its one-line remedy.
public enum KnownFailures {
    /// The remedy for a provider failure, or nil when it is not a known one.
    public static func remedy(code: String, message: String, status: Int) -> String? {
        let text = (code + " " + message).lowercased()
        if text.contains("machine_not_routable") {
            return "the machine is sleeping or destroyed: check its phase, then wake or recreate it"
        }
        if text.contains("runtimewakefailed") {
            return "the host evicted the VM: delete the failed machine and create a new one"
        }
        if text.contains("noreadyhosts") || text.contains("placement_pending") {
            return "no host has capacity: delete orphaned machines to free slots, or reduce memory_mib"
        }
        if text.contains("storageprovisioningfailed") {
            return "storage capacity is short: wait and retry"
        }
        if text.contains("memory_mib exceeds capacity") || (status == 400 && text.contains("memory")) {
            return "request at most 6144 MiB on the dev environment, or use production"
        }
        if status == 503 && (text.contains("guest") || text.contains("agent") || text.contains("runtime unavailable")) {
            return "the guest agent is not ready yet: retry a few seconds after the running phase"
        }
        if status == 401 { return "check DEDALUS_API_KEY or DEDALUS_X_API_KEY" }
        if code == "connection_error" || code == "timeout" {
            return "the API did not answer: check DEDALUS_BASE_URL and the network, then retry"
        }
        return nil
    }
}
