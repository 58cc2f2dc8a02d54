#if canImport(Glibc)
import Glibc
#endif
import OpenClawSim

// The simulator's entry point: everything lives in OpenClawSim so that it can be tested.
var environment: [String: String] = [:]
var entry = environ
while let pointer = entry.pointee {
    let pair = String(cString: pointer)
    if let eq = pair.firstIndex(of: "=") {
        environment[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
    }
    entry += 1
}
exit(OpenClawCLI.run(arguments: CommandLine.arguments, environment: environment))
