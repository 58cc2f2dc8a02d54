/* clawrun-init: PID 1 of a local machine. `unshare` starts it in the machine's new namespaces;
   it builds the machine's root with mount(2) calls (one process, where a shell script needed
   thirty: booting is what waking a fleet of machines costs), pivots into that root, moves into a
   user namespace of the machine's own (root inside is an unprivileged id outside), puts itself
   under the machine's seccomp filter and then stays to reap every orphan of the machine until it
   is killed. README.md's "Isolation" says what this keeps out and why.

   Arguments: the machine's state folder, its id, the machine base (the lower layer of its root),
   the tools directory (may be empty), the cgroup directory (may be empty), "nat" when
   slirp4netns will give the machine outbound network, and the uid_map line of its user
   namespace. Errors go to stderr, the machine's sandbox.log, whose last lines become the failed
   machine's last_error. */
#define _GNU_SOURCE
#include "cprocess.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *machine_root;

static void die(const char *what, const char *path) {
    fprintf(stderr, "clawrun-init: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void die_mounting(const char *source, const char *target) {
    fprintf(stderr, "clawrun-init: cannot mount %s on %s: %s\n", source, target, strerror(errno));
    exit(1);
}

/* A path inside the machine's root, for the setup done before entering it. */
static const char *in_root(const char *path) {
    static char buf[PATH_MAX];
    if ((size_t)snprintf(buf, sizeof buf, "%s%s", machine_root, path) >= sizeof buf) {
        errno = ENAMETOOLONG;
        die("path too long:", path);
    }
    return buf;
}

static void mount_or_die(const char *source, const char *target, const char *type, unsigned long flags,
                         const char *data) {
    if (mount(source, target, type, flags, data) < 0) die_mounting(type != NULL ? type : source, target);
}

static void mkdir_or_die(const char *path, mode_t mode) {
    if (mkdir(path, mode) < 0 && errno != EEXIST) die("cannot create", path);
}

static void symlink_or_die(const char *target, const char *link) {
    if (symlink(target, link) < 0 && errno != EEXIST) die("cannot link", link);
}

static void write_file_or_die(const char *path, const char *text, int flags) {
    int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0644);
    if (fd < 0) die("cannot open", path);
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len) die("cannot write", path);
    close(fd);
}

/* Writes "<host pid> <start time>" to init.pid, read from /proc before the machine's own /proc
   replaces it: the provider finds, checks and kills the machine through them. The file is
   rewritten in place under an exclusive flock, as the provider's state files are (a new inode
   per boot is dear on some filesystems), in one fixed-width write that covers any earlier line. */
static void write_identity(const char *state) {
    char stat[1024], line[48], path[PATH_MAX];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("cannot open", "/proc/self/stat");
    ssize_t n = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (n <= 0) die("cannot read", "/proc/self/stat");
    stat[n] = '\0';
    char *p = strrchr(stat, ')');
    for (int field = 3; p != NULL && field <= 22; field++) p = strchr(p + 1, ' ');
    if (p == NULL) {
        errno = EINVAL;
        die("cannot parse", "/proc/self/stat");
    }
    char text[sizeof line];
    int len = snprintf(text, sizeof text, "%d %llu", atoi(stat), strtoull(p + 1, NULL, 10));
    memset(line, ' ', sizeof line);
    memcpy(line, text, (size_t)len);
    line[sizeof line - 1] = '\n';
    snprintf(path, sizeof path, "%s/init.pid", state);
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) die("cannot open", path);
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) die("cannot lock", path);
    if (pwrite(fd, line, sizeof line, 0) != (ssize_t)sizeof line) die("cannot write", path);
    close(fd);
}

static void bring_up_loopback(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) die("cannot open a socket for", "lo");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die("cannot read the flags of", "lo");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die("cannot bring up", "lo");
    close(s);
}

/* Binds a host directory read-only: the bind, then a remount, since a bind ignores MS_RDONLY. */
static void bind_read_only(const char *source, const char *target) {
    mount_or_die(source, target, NULL, MS_BIND | MS_REC, NULL);
    mount_or_die(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
}

/* The machine's root: an overlay whose lower layer is the machine base (a small tree clawrun
   made once: the machine's own /etc, the top-level links, empty /root, /var, /home ...), whose
   upper layer is the machine's to write and is emptied on sleep, with the host's /usr (and
   /bin, /lib* where they are directories, not links into /usr) bound read-only on top. Nothing
   else of the host is in the machine's mount tree. */
static void build_root(const char *state, const char *base, const char *tools, int nat) {
    char path[PATH_MAX], options[3 * PATH_MAX + 64];
    snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", base, state, state);
    mount_or_die("overlay", machine_root, "overlay", 0, options);
    bind_read_only("/usr", in_root("/usr"));
    static const char *const system_dirs[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++) {
        struct stat host, inside;
        if (lstat(system_dirs[i], &host) == 0 && S_ISDIR(host.st_mode) && lstat(in_root(system_dirs[i]), &inside) == 0 &&
            S_ISDIR(inside.st_mode))
            bind_read_only(system_dirs[i], in_root(system_dirs[i]));
    }
    snprintf(path, sizeof path, "%s/home", state);
    mount_or_die(path, in_root("/home/machine"), NULL, MS_BIND, NULL);
    mount_or_die("proc", in_root("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    /* Read-only sysfs is a convenience some hosts refuse (no network namespace of their own). */
    mount("sysfs", in_root("/sys"), "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    mount_or_die("tmpfs", in_root("/tmp"), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    mount_or_die("tmpfs", in_root("/run"), "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
    mount_or_die("tmpfs", in_root("/dev"), "tmpfs", MS_NOSUID, "mode=755");

    static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        char host[32], inside[PATH_MAX];
        snprintf(host, sizeof host, "/dev/%s", devices[i]);
        snprintf(inside, sizeof inside, "%s", in_root(host));
        write_file_or_die(inside, "", O_CREAT);
        mount_or_die(host, inside, NULL, MS_BIND, NULL);
    }
    mkdir_or_die(in_root("/dev/pts"), 0755);
    mkdir_or_die(in_root("/dev/shm"), 01777);
    mount_or_die("devpts", in_root("/dev/pts"), "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620");
    mount_or_die("tmpfs", in_root("/dev/shm"), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    symlink_or_die("pts/ptmx", in_root("/dev/ptmx"));
    symlink_or_die("/proc/self/fd", in_root("/dev/fd"));
    symlink_or_die("/proc/self/fd/0", in_root("/dev/stdin"));
    symlink_or_die("/proc/self/fd/1", in_root("/dev/stdout"));
    symlink_or_die("/proc/self/fd/2", in_root("/dev/stderr"));

    /* Only the programs machines run, each bound read-only: not the folder they came from. */
    mkdir_or_die(in_root("/run/clawrun"), 0755);
    if (tools[0] != '\0') {
        struct stat st;
        if (stat(tools, &st) < 0 || !S_ISDIR(st.st_mode)) die("cannot use the tools directory", tools);
        static const char *const programs[] = {"openclaw-sim"};
        for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
            char host[PATH_MAX], inside[PATH_MAX];
            snprintf(host, sizeof host, "%s/%s", tools, programs[i]);
            if (stat(host, &st) < 0) continue;
            snprintf(inside, sizeof inside, "%s/%s", in_root("/run/clawrun"), programs[i]);
            write_file_or_die(inside, "", O_CREAT);
            bind_read_only(host, inside);
        }
    }
    if (nat) {
        if (unlink(in_root("/etc/resolv.conf")) < 0 && errno != ENOENT) die("cannot replace", "/etc/resolv.conf");
        write_file_or_die(in_root("/etc/resolv.conf"), "nameserver 10.0.2.3\n", O_CREAT | O_TRUNC);
    }
}

/* Makes the machine's root the root of its mount namespace and lets go of the host's: after
   this no path, `..` or chroot trick leads out, as the old root is no longer mounted here. */
static void enter_root(void) {
    if (chdir(machine_root) < 0) die("cannot enter", machine_root);
    if (syscall(SYS_pivot_root, ".", ".") < 0) die("cannot pivot to", machine_root);
    if (umount2(".", MNT_DETACH) < 0) die("cannot detach the host's root from", machine_root);
    if (chdir("/") < 0) die("cannot enter", "/");
}

/* Moves PID 1 into a user namespace of the machine's own, with a new mount namespace owned by it.
   The mounts copied into it are locked (the kernel's MNT_LOCK_*: a less privileged namespace
   cannot remount them writable, unmount them or move them), and root inside it is `uid_map`'s
   unprivileged host id. The map has to be written from the parent namespace: a child that stays
   there writes it once this process has moved. */
static void enter_own_user_namespace(const char *uid_map) {
    int go[2], done[2];
    if (pipe2(go, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0) die("cannot make a pipe for", "the user namespace");
    pid_t helper = fork();
    if (helper < 0) die("cannot fork for", "the user namespace");
    if (helper == 0) {
        char c = 1;
        close(go[1]);
        close(done[0]);
        if (read(go[0], &c, 1) == 1) {
            int uid = open("/proc/1/uid_map", O_WRONLY | O_CLOEXEC), gid = open("/proc/1/gid_map", O_WRONLY | O_CLOEXEC);
            c = uid >= 0 && gid >= 0 && write(uid, uid_map, strlen(uid_map)) > 0 && write(gid, uid_map, strlen(uid_map)) > 0
                    ? 0
                    : 1;
        }
        (void)!write(done[1], &c, 1);
        _exit(c);
    }
    close(go[0]);
    close(done[1]);
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) die("cannot make", "the machine's user namespace");
    if (write(go[1], "x", 1) != 1) die("cannot signal", "the user namespace helper");
    close(go[1]);
    /* The helper's answer, not its exit: the exit releases the old mount namespace, which waits
       for an RCU grace period, and PID 1 reaps it later like any orphan. */
    char c = 1;
    while (read(done[0], &c, 1) < 0 && errno == EINTR) {}
    close(done[0]);
    if (c != 0) {
        errno = EPERM;
        die("cannot map the machine's users:", uid_map);
    }
    /* Under a rootless clawrun setgroups is denied (the outer namespace was mapped without privilege). */
    if (syscall(SYS_setgroups, 0, NULL) < 0 && errno != EPERM) die("cannot drop the groups of", "the machine's init");
    if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0)
        die("cannot become root in", "the machine's user namespace");
}

/* PID 1's command line shows the host's paths (its arguments): they are blanked in place. */
static void hide_arguments(int argc, char **argv) {
    char *end = argv[argc - 1] + strlen(argv[argc - 1]);
    memset(argv[0], 0, (size_t)(end - argv[0]));
    strcpy(argv[0], "init");
}

/* PID 1's only work once the machine runs: reap whatever exits, orphans included. SIGCHLD stays
   blocked and is taken with sigwaitinfo, so no exit between two waits is missed. */
static void reap_forever(void) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    for (;;) {
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
        sigwaitinfo(&chld, NULL);
    }
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: clawrun-init STATE ID BASE TOOLS CGROUP none|nat UIDMAP (started by clawrun's local provider)\n");
        return 2;
    }
    const char *state = argv[1], *id = argv[2], *base = argv[3], *tools = argv[4], *cgroup = argv[5];
    int nat = strcmp(argv[6], "nat") == 0;
    static char root[PATH_MAX], uid_map[64];
    snprintf(root, sizeof root, "%s/root", state);
    snprintf(uid_map, sizeof uid_map, "%s\n", argv[7]);
    machine_root = root;

    write_identity(state);
    if (cgroup[0] != '\0') {
        char procs[PATH_MAX];
        snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroup);
        /* Inside the new PID namespace getpid() is 1; "0" names the writing process itself. */
        write_file_or_die(procs, "0\n", 0);
    }
    build_root(state, base, tools, nat);
    bring_up_loopback();
    /* Root inside has no privilege over the network namespace (it belongs to the outer user
       namespace), so low ports and ping sockets are opened to every user of the machine. */
    write_file_or_die("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0\n", 0);
    /* Only where every group id maps (not under a rootless clawrun's one-id map). */
    int ping = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY | O_CLOEXEC);
    if (ping >= 0) {
        (void)!write(ping, "0 2147483647\n", 13);
        close(ping);
    }
    if (sethostname(id, strlen(id)) < 0) die("cannot set the hostname to", id);
    enter_root();
    enter_own_user_namespace(uid_map);
    hide_arguments(argc, argv);
    int guard = clawrun_guard_machine_process();
    if (guard != 0) {
        errno = guard;
        die("cannot guard", "the machine's init");
    }
    /* Readiness is this name: the provider reads it in /proc, and nothing in the machine can
       rename its PID 1. */
    prctl(PR_SET_NAME, "init", 0, 0, 0);
    /* The provider waits for this line on the launcher's stdout instead of polling. A provider
       gone meanwhile finds the machine by its name instead, so a failed write changes nothing. */
    signal(SIGPIPE, SIG_IGN);
    (void)!write(1, "ready\n", 6);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2) close(null);
    }
    reap_forever();
}
