import ClawrunCore
import ClawrunHost
import Foundation

/// `--timeout DURATION`: a deadline for the whole run, for cron jobs whose recipe may loop. When
/// it passes, the run stops as on SIGTERM (no new work, `--grace` for work in flight, Lua code
/// still running raises) and exits 124, the code timeout(1) uses, so that cron wrappers and
/// shell scripts that already test for 124 see a timeout and not a failure of the recipe.
struct RunTimeout {
    /// The exit code of a run that reached its `--timeout`.
    static let exitCode: Int32 = 124
    let seconds: Double

    /// Reads timeout(1)'s grammar: a number, optionally with s, m, h or d; 0 means no deadline.
    init?(parsing text: String) throws {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var number = Substring(text)
        var unit = 1.0
        if let last = text.last, let u = units[last] {
            number = number.dropLast()
            unit = u
        }
        guard let n = Double(number), n.isFinite, n >= 0, n * unit <= 366 * 86_400 else {
            throw ClawrunError.usage("--timeout '\(text)' is not a duration: use a number of seconds up to a year, "
                + "optionally with s, m, h or d (90, 30m, 1.5h)")
        }
        guard n > 0 else { return nil }
        seconds = n * unit
    }

    /// Interrupts `run` when the deadline passes; the returned source is cancelled when the run ends.
    func arm(_ run: WorkflowRun, grace: Double, text: String) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + seconds)
        let run = run.interrupter
        timer.setEventHandler {
            run.interrupt(grace: grace, reason: "timed out after \(text) (--timeout)", exitCode: RunTimeout.exitCode)
        }
        timer.resume()
        return timer
    }
}
