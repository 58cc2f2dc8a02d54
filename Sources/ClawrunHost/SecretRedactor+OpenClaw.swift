import ClawrunCore

extension SecretRedactor {
    /// Registers every string in a config value with the redactor: all of them when the value
    /// sits under a secret path, else those under keys that look secret.
    func addSecrets(in value: JSONValue, secretPath: Bool = true, path: String = "") {
        switch value {
        case .string(let s): if secretPath || OpenClawLayout.isSecretPath(path) { add(s) }
        case .array(let items): for item in items { addSecrets(in: item, secretPath: secretPath, path: path) }
        case .object(let members):
            for (k, v) in members {
                let child = path.isEmpty ? k : path + "." + k
                addSecrets(in: v, secretPath: secretPath || OpenClawLayout.isSecretPath(child), path: child)
            }
        default: break
        }
    }
}
