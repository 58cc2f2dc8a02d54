import ClawrunCore
import DedalusAPI
import Foundation
import LocalMachines

/// Picks and builds the provider: `--provider`, else CLAWRUN_PROVIDER, else dedalus when a Dedalus
/// key is set, else local.
enum ProviderChoice {
    static func name(flag: String?, env: [String: String]) throws -> String {
        let chosen = flag ?? env["CLAWRUN_PROVIDER"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((env["DEDALUS_API_KEY"] ?? env["DEDALUS_X_API_KEY"]).map { _ in "dedalus" } ?? "local")
        guard chosen == "local" || chosen == "dedalus" else {
            throw ClawrunError.usage("unknown provider '\(chosen)': use local or dedalus")
        }
        return chosen
    }

    /// Builds the provider. `inFlight` is how many machines the run works on at once: the Dedalus
    /// connection pool grows to match (up to 256), or machines beyond its size would queue for a
    /// connection on every request and a fleet run would go no faster than the pool.
    /// `rate` and `rateDeadline` are `--rate` and `--rate-deadline` (Dedalus only).
    static func make(_ name: String, env: [String: String], inFlight: Int = 0, rate: Double? = nil,
                     rateDeadline: Double = 300, onRetry: (@Sendable (RetryEvent) -> Void)?) throws -> any MachineProvider
    {
        if name == "dedalus" {
            do {
                var configuration = try DedalusConfiguration.fromEnvironment(env)
                configuration.maxConnections = max(configuration.maxConnections, min(inFlight, 256))
                configuration.rate = rate
                configuration.saturationDeadline = rateDeadline
                return DedalusProvider(configuration: configuration, onRetry: onRetry)
            } catch {
                throw ClawrunError.usage("\(error)")
            }
        }
        return try LocalProvider(home: ClawrunPaths.home(env), toolsDirectory: ClawrunPaths.executableDirectory)
    }
}
