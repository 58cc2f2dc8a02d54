# Escapes tried from inside a local machine, as its root (SandboxAttackTests.swift runs it and
# checks the host afterwards). Prints one line per attempt: "<name> blocked <why>" or
# "<name> ESCAPED <what>". Parameters come in the environment.
import ctypes, errno, os, socket, subprocess, sys

libc = ctypes.CDLL(None, use_errno=True)
env = os.environ
mark_dir, canary_path, token = env["MARK_DIR"], env["CANARY_PATH"], env["CANARY_TOKEN"]
results = []

def report(name, escaped, detail):
    results.append(f"{name} {'ESCAPED' if escaped else 'blocked'} {detail}".replace("\n", " ")[:300])

def try_write(path):
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"escaped\n")
        os.close(fd)
        return "wrote " + path
    except OSError as e:
        return None

def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read(4096).decode(errors="replace")
    except OSError as e:
        return None

def host_processes():
    """cmdlines of /proc that show the host's canary process."""
    seen = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            text = read_text(f"/proc/{pid}/cmdline") or ""
            if token in text:
                seen.append(pid)
    return seen

def mount(source, target, fstype, flags, data=None):
    rc = libc.mount(source.encode() if source else None, target.encode(), fstype.encode() if fstype else None,
                    ctypes.c_ulong(flags), data.encode() if data else None)
    return 0 if rc == 0 else ctypes.get_errno()

MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096

# 1. The classic chroot escape, then what it would give: host files, host processes.
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    out = []
    try:
        os.makedirs("/tmp/jail", exist_ok=True)
        os.chroot("/tmp/jail")
        for _ in range(64):
            os.chdir("..")
        os.chroot(".")
        got = [try_write(mark_dir + "/chroot-escape"), read_text(canary_path)]
        got += ["host process " + p for p in host_processes()]
        got += ["host root has " + n for n in ["work"] if os.path.exists("/" + n)]
        out = [g for g in got if g]
    except OSError as e:
        out = []
    os.write(w, " ".join(out).encode())
    os._exit(0)
os.close(w)
found = os.read(r, 4096).decode()
os.waitpid(pid, 0)
report("chroot-escape", bool(found), found)

# 2. Host files through the root's lower layer, by path and by file handle.
found = []
for path in [canary_path, "/etc/shadow", "/root/.bash_history", "/work", env["HOST_HOME"], env["OTHER_HOME"]]:
    if os.path.exists(path):
        found.append(path)
text = read_text(canary_path) or ""
report("host-files", bool(found) or token in text, "visible: " + ",".join(found))
lower = [l for l in (read_text("/proc/self/mountinfo") or "").splitlines() if "lowerdir=" in l]
handle = ctypes.create_string_buffer(128)
ctypes.memmove(handle, (120).to_bytes(4, "little"), 4)
mount_id = ctypes.c_int()
rc = libc.syscall(303, -100, b"/etc/passwd", handle, ctypes.byref(mount_id), 0)  # name_to_handle_at
err = ctypes.get_errno()
fd = libc.syscall(304, os.open("/", os.O_RDONLY), handle, 0)  # open_by_handle_at
report("file-handles", rc == 0 or fd >= 0, f"name_to_handle_at rc={rc} errno={err} open_by_handle_at fd={fd}")

# 3. The tools folder and /usr remounted writable, then written.
writes = []
for target in ["/run/clawrun/openclaw-sim", "/usr"]:
    rc = mount(None, target, None, MS_REMOUNT | MS_BIND)
    writes.append(f"remount {target} errno={rc}")
for path in ["/run/clawrun/openclaw-sim"]:
    try:
        with open(path, "ab") as f:
            f.write(b"#escaped")
        writes.append("WROTE " + path)
    except OSError as e:
        writes.append(f"write {path}: {e.strerror}")
os.makedirs("/mnt/bind", exist_ok=True)
rc = mount("/usr", "/mnt/bind", None, MS_BIND)
rc2 = mount(None, "/mnt/bind", None, MS_REMOUNT | MS_BIND) if rc == 0 else -1
marker = try_write("/mnt/bind/clawrun-attack-marker") or try_write("/usr/clawrun-attack-marker")
rc3 = libc.umount2(b"/run/clawrun/openclaw-sim", 2)
report("remount-tools", any(w.startswith("WROTE") for w in writes) or marker is not None or rc3 == 0,
       "; ".join(writes) + f"; bind={rc} rebind-rw={rc2} umount={rc3}")

# 4. cgroup2 mounted and the canary's cgroup killed.
os.makedirs("/mnt/cg", exist_ok=True)
rc = mount("none", "/mnt/cg", "cgroup2", 0)
killed = try_write("/mnt/cg/" + env["CANARY_CGROUP"] + "/cgroup.kill") if rc == 0 else None
for path in ["/sys/fs/cgroup/unified/" + env["CANARY_CGROUP"] + "/cgroup.kill"]:
    killed = killed or try_write(path)
report("cgroup-kill", killed is not None, f"mount cgroup2 errno={rc}")

# 5. A host-wide sysctl.
try:
    with open("/proc/sys/kernel/core_pattern", "w") as f:
        f.write("|/tmp/clawrun-attack-core")
    report("core-pattern", True, "wrote core_pattern")
except OSError as e:
    report("core-pattern", False, e.strerror)
rc = mount("proc", "/mnt/bind", "proc", 0) if os.path.isdir("/mnt/bind") else -1
report("new-proc", rc == 0, f"mount proc errno={rc}")

# 6. /proc shows this machine only, and PID 1 shows no host path.
seen = host_processes()
report("host-processes", bool(seen), "pids " + ",".join(seen))
cmdline = (read_text("/proc/1/cmdline") or "").replace("\0", " ").strip()
report("init-cmdline", "/" in cmdline, repr(cmdline))
environ = read_text("/proc/1/environ") or ""
report("init-environ", "KEY" in environ or "TOKEN" in environ, f"{len(environ)} bytes readable")

# 7. The host's loopback services, and the host through slirp's gateway.
for host in ["127.0.0.1", "10.0.2.2"]:
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect((host, int(env["HOST_PORT"])))
        report("host-loopback-" + host, True, "connected")
    except OSError as e:
        report("host-loopback-" + host, False, str(e))
    finally:
        s.close()

# 8. Kernel interfaces the filter denies.
for name, nr, args in [("keyctl", 250, (0, 0)), ("bpf", 321, (0, 0, 0)), ("init_module", 175, (0, 0, 0)),
                       ("perf_event_open", 298, (0, 0, -1, -1, 0)), ("userfaultfd", 323, (0,)),
                       ("unshare-user", 272, (0x10000000,))]:
    rc = libc.syscall(nr, *args)
    e = ctypes.get_errno()
    report("syscall-" + name, rc >= 0 or e != errno.EPERM, f"rc={rc} errno={e}")

# 9. A setuid file cannot give more (no_new_privs) and the bounding set lacks module loading.
status = read_text("/proc/self/status") or ""
nnp = [l for l in status.splitlines() if l.startswith("NoNewPrivs:")]
report("no-new-privs", nnp != ["NoNewPrivs:\t1"], repr(nnp))

# 10. Other machines' files, by their host path and through /proc.
others = [p for p in [env["OTHER_HOME"] + "/secret"] if os.path.exists(p)]
for pid in os.listdir("/proc"):
    if pid.isdigit() and os.path.exists(f"/proc/{pid}/root/home/machine/secret"):
        others.append(pid)
report("other-machines", bool(others), ",".join(others))

print("\n".join(results))
