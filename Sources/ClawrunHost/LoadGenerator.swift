/// The open-model load generator that runs inside a machine: a Python 3 standard-library program
/// (Ubuntu 24.04 has /usr/bin/python3; real machines have no clawrun binary) sent by exec as
/// `/usr/bin/python3 -c TEXT ARGS`, so nothing is written to the machine but its results.
///
/// It sends requests at the times the arrival schedule says (`ArrivalSchedule.generatorArgument`)
/// over up to `slots` keep-alive HTTP/1.1 connections driven by one `selectors` loop, and measures
/// each latency from the request's intended start, as wrk2 does, so that a stall of the server
/// shows in the tail instead of pausing the sender (coordinated omission). A request due while
/// every connection is busy waits for one and is flagged late; one still waiting when the run
/// ends is counted as dropped. Connection i sends `__CLAWRUN_VU__` in the body as `load-test-<i>`:
/// one session per connection, so no request queues behind another on its session.
///
/// Arguments: results file, host, port, path, schedule, slots, per-request timeout (seconds).
/// Stdin: JSON `{"body": ..., "token": ...}` (the token never appears in argv). Results, one line
/// per request (`ArrivalTimingsParser`): intended offset, send lag and latency in microseconds,
/// status, error kind or `-`, late flag. Stdout: `generator sent N dropped D errors E wall W`.
enum LoadGenerator {
    /// The interpreter every Ubuntu 24.04 machine has.
    static let python = "/usr/bin/python3"

    /// The program text.
    static let text = #"""
        import collections, json, math, os, selectors, socket, sys, time
        out_path, host, port, path, sched, slots, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]), float(sys.argv[7])
        conf = json.loads(sys.stdin.read() or "{}")
        start_rate, _, spec = sched.partition(";")
        stages = [tuple(float(x) for x in s.split(":")) for s in spec.split(",") if s]
        body = conf.get("body") or ""
        head = "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n" % (path, host, port)
        if conf.get("token"):
            head += "Authorization: Bearer %s\r\n" % conf["token"]
        def request_for(i):
            b = body.replace("__CLAWRUN_VU__", "load-test-%d" % i).encode()
            return (head + "Content-Length: %d\r\n\r\n" % len(b)).encode() + b
        def arrivals():
            base_t, base_n, r0, k = 0.0, 0.0, float(start_rate), 0
            for d, r1 in stages:
                a, b = (r1 - r0) / (2 * d), r0
                total = b * d + a * d * d
                while k < base_n + total - 1e-9:
                    x = k - base_n
                    if abs(a) < 1e-12:
                        t = x / b
                    else:
                        t = (-b + math.sqrt(max(0.0, b * b + 4 * a * x))) / (2 * a)
                    yield base_t + min(max(t, 0.0), d)
                    k += 1
                base_t, base_n, r0 = base_t + d, base_n + total, r1
        sel = selectors.DefaultSelector()
        out = open(out_path, "w", buffering=1 << 20)
        class Conn:
            __slots__ = ("i", "sock", "req", "buf", "due", "sent", "late", "deadline")
            def __init__(self, i):
                self.i, self.sock, self.req, self.buf = i, None, request_for(i), b""
        idle = [Conn(i) for i in range(slots, 0, -1)]
        busy = set()
        pending = collections.deque()
        counts = {"sent": 0, "errors": 0}
        t0 = time.monotonic() + 0.02
        def record(c, status, kind):
            now = time.monotonic()
            out.write("%d %d %d %d %s %d\n" % ((c.due - t0) * 1e6, (c.sent - c.due) * 1e6, (now - c.due) * 1e6, status, kind, c.late))
            if kind != "-":
                counts["errors"] += 1
        def drop(c):
            if c.sock is not None:
                try:
                    sel.unregister(c.sock)
                except Exception:
                    pass
                c.sock.close()
                c.sock = None
            c.buf = b""
        def finish(c, status, kind, keep):
            record(c, status, kind)
            busy.discard(c)
            if not keep:
                drop(c)
            idle.append(c)
        def start(c, due, late):
            c.due, c.late, c.sent = due, late, time.monotonic()
            c.deadline = c.sent + timeout
            counts["sent"] += 1
            busy.add(c)
            if c.sock is None:
                try:
                    s = socket.create_connection((host, port), timeout=min(timeout, 5))
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    s.settimeout(timeout)
                    c.sock = s
                    sel.register(s, selectors.EVENT_READ, c)
                except ConnectionRefusedError:
                    return finish(c, 0, "connect_refused", False)
                except OSError:
                    return finish(c, 0, "connect_error", False)
            try:
                c.sock.sendall(c.req)
            except OSError:
                finish(c, 0, "connection_reset", False)
        def readable(c):
            if c not in busy:
                return drop(c)
            try:
                data = c.sock.recv(262144)
            except OSError:
                data = None
            if not data:
                return finish(c, 0, "connection_reset" if data is None or c.buf else "empty_reply", False)
            c.buf += data
            if len(c.buf) > 16777216:
                return finish(c, 0, "bad_response", False)
            end = c.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = c.buf[:end].split(b"\r\n")
            try:
                status = int(lines[0].split()[1])
            except (IndexError, ValueError):
                return finish(c, 0, "bad_response", False)
            length, chunked, close = 0, False, lines[0].startswith(b"HTTP/1.0")
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    try:
                        length = int(value.strip())
                    except ValueError:
                        length = -1
                    if length < 0:
                        return finish(c, 0, "bad_response", False)
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
                elif name == b"connection":
                    close = value.strip().lower() == b"close"
            rest = len(c.buf) - end - 4
            if chunked:
                if not c.buf.endswith(b"0\r\n\r\n"):
                    return
            elif rest < length:
                return
            c.buf = b""
            finish(c, status, "-" if 200 <= status < 300 else "http_%d" % status, not close)
        gen = arrivals()
        due = next(gen, None)
        last_due = t0 + sum(d for d, _ in stages)
        hard_end = last_due + timeout + 1
        next_sweep = 0.0
        starved = 0.0
        while True:
            now = time.monotonic()
            while due is not None and t0 + due <= now:
                pending.append(t0 + due)
                due = next(gen, None)
            while pending and idle:
                d = pending.popleft()
                start(idle.pop(), d, 1 if d <= starved else 0)
            if pending:
                starved = pending[-1]
            if due is None and not pending and not busy:
                break
            if now >= hard_end:
                break
            if now >= next_sweep:
                next_sweep = now + 0.01
                for c in [c for c in busy if c.deadline <= now]:
                    finish(c, 0, "timeout", False)
            wait = 0.01
            if due is not None:
                wait = min(wait, t0 + due - now)
            if pending and not idle:
                wait = 0.01
            for key, _ in sel.select(max(0.0, wait)):
                readable(key.data)
        for c in list(busy):
            finish(c, 0, "timeout", False)
        dropped = len(pending)
        out.close()
        print("generator sent %d dropped %d errors %d wall %.6f" % (counts["sent"], dropped, counts["errors"], time.monotonic() - t0))
        """#

    /// The argv that runs the generator.
    static func argv(results: String, host: String, port: Int, path: String, schedule: String, slots: Int,
                     timeout: Double) -> [String] {
        [python, "-c", text, results, host, String(port), path, schedule, String(slots), String(timeout)]
    }
}
