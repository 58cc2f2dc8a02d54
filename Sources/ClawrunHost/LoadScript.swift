import ClawrunCore

/// The bash program that runs a load test inside a machine: curl's parallel mode over a globbed
/// URL (the `#[1-N]` fragment makes N transfers and is never sent), or `xargs -P` with one curl
/// per request where curl lacks `--parallel`. Every option that may hold a secret (the bearer
/// token) or need quoting (the body) comes in a curl config on stdin, written to a private
/// temporary file; per-request timings go to the results file, one line each.
///
/// With one session per virtual user (argument 6 = 1), each of the C virtual users is its own
/// curl, sending its share of the requests one after another with its own body, where
/// `__CLAWRUN_VU__` becomes `load-test-<i>`: a gateway runs one request per session at a time
/// (src/agents/pi-embedded-runner/run.ts), so a shared `user` would measure that queue.
///
/// Arguments: results file, concurrency, request count (0 in duration mode), duration in whole
/// seconds (0 in count mode), URL, 1 for a session per virtual user. It prints
/// `wall <seconds> parallel <1|0>` and the line count.
enum LoadScript {
    static let text = #"""
        set -u
        out=$1 C=$2 N=$3 D=$4 URL=$5 V=${6:-0}
        umask 077
        cfg=$(mktemp)
        trap 'rm -f "$cfg" "$cfg".*' EXIT
        cat > "$cfg"
        : > "$out"
        if [ "$V" = 1 ]; then
            for i in $(seq "$C"); do sed "s/__CLAWRUN_VU__/load-test-$i/g" "$cfg" > "$cfg.$i"; done
        fi
        if curl --help all 2>/dev/null | grep -q -- '--parallel-max'; then par=1; else par=0; fi
        batch() {
            if [ "$V" = 1 ]; then
                per=$(( ($1 + C - 1) / C )) left=$1
                for i in $(seq "$C"); do
                    k=$(( left < per ? left : per )); left=$(( left - k ))
                    # A file each: lines of several curls appending to one file could interleave.
                    [ "$k" -gt 0 ] && curl -s -K "$cfg.$i" -o /dev/null "$URL#[1-$k]" > "$out.$i" 2>/dev/null &
                done
                wait
                for i in $(seq "$C"); do [ -f "$out.$i" ] && cat "$out.$i" >> "$out"; rm -f "$out.$i"; done
            elif [ "$par" = 1 ]; then
                curl -s --parallel --parallel-immediate --parallel-max "$C" -K "$cfg" -o /dev/null "$URL#[1-$1]" >> "$out" 2>/dev/null
            else
                seq "$1" | xargs -P "$C" -I{} curl -s -K "$cfg" -o /dev/null "$URL" >> "$out" 2>/dev/null
            fi
        }
        s=$(date +%s.%N)
        if [ "$D" != 0 ]; then
            # Nanoseconds: bash's SECONDS ticks on whole seconds and would end up to 1 s early.
            end=$(( $(date +%s%N) + D * 1000000000 ))
            while [ "$(date +%s%N)" -lt "$end" ]; do batch $((C * 20)); done
        else
            batch "$N"
        fi
        e=$(date +%s.%N)
        echo "wall $(echo "$e - $s" | awk '{print $1 - $3}') parallel $par"
        wc -l < "$out"
        """#

    /// The shared curl config of every request: method and body, headers, the per-request
    /// timeout, and the timing write-out.
    static func config(token: String?, body: String?, timeout: Double) -> CurlConfig {
        var c = CurlConfig()
        c.flag("silent")
        c.set("max-time", String(Int(timeout.rounded(.up))))
        if let body {
            c.set("header", "Content-Type: application/json")
            c.set("data-binary", body)
        }
        if let token { c.set("header", "Authorization: Bearer \(token)") }
        c.set("write-out", CurlTimingsParser.format)
        return c
    }
}
