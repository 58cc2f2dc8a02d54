/* clawrun-init: PID 1 of a local machine. `unshare` starts it in the machine's new namespaces;
   it builds the machine's root with mount(2) calls (one process, where a shell script needed
   thirty: booting is what waking a fleet of machines costs), enters that root, and then stays to
   reap every orphan of the machine until it is killed.

   Arguments: the machine's state folder, its id, the tools directory (may be empty), the host
   folder of all machines (hidden inside), the cgroup directory (may be empty), and "nat" when
   slirp4netns will give the machine outbound network. Errors go to stderr, the machine's
   sandbox.log, whose last lines become the failed machine's last_error. */
#define _GNU_SOURCE
#include <dirent.h>
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
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

/* The overlay of one host directory: lower `lower`, upper and work under the state folder. */
static int mount_layer(const char *state, const char *lower, const char *sub, const char *target) {
    char options[3 * PATH_MAX + 64];
    snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s/upper%s,workdir=%s/work%s", lower, state, sub, state,
             sub);
    return mount("overlay", target, "overlay", 0, options);
}

/* Where the host's root cannot be a lower layer whole (in a user namespace, when mounts such as
   /proc sit on it, the kernel refuses to clone it), the root is a tmpfs holding the host's
   top-level links and one overlay per top-level directory. A directory that cannot be layered
   either (a mount of its own inside) stays empty, and the log says so. */
static void build_layered_root(const char *state) {
    static const char *const own[] = {"proc", "sys", "dev", "tmp", "run", "home"};
    char path[PATH_MAX], link[PATH_MAX];
    mount_or_die("tmpfs", machine_root, "tmpfs", 0, "mode=755");
    DIR *dir = opendir("/");
    if (dir == NULL) die("cannot read", "/");
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char host[PATH_MAX];
        snprintf(host, sizeof host, "/%s", e->d_name);
        struct stat st;
        if (lstat(host, &st) < 0) continue;
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(host, link, sizeof link - 1);
            if (n < 0) continue;
            link[n] = '\0';
            symlink_or_die(link, in_root(host));
            continue;
        }
        if (!S_ISDIR(st.st_mode)) continue;
        mkdir_or_die(in_root(host), st.st_mode & 07777);
        int skip = 0;
        for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) skip |= strcmp(e->d_name, own[i]) == 0;
        if (skip) continue;
        snprintf(path, sizeof path, "%s/upper%s", state, host);
        mkdir_or_die(path, 0755);
        snprintf(path, sizeof path, "%s/work%s", state, host);
        mkdir_or_die(path, 0755);
        if (mount_layer(state, host, host, in_root(host)) < 0)
            fprintf(stderr, "clawrun-init: %s stays empty in the machine: cannot layer it here: %s\n", host,
                    strerror(errno));
    }
    closedir(dir);
}

static void build_root(const char *state, const char *tools, const char *hide, int nat) {
    char path[PATH_MAX];
    if (mount_layer(state, "/", "", machine_root) < 0) {
        if (errno != EINVAL) die_mounting("overlay", machine_root);
        build_layered_root(state);
    }

    /* /home is the machine's own: the host's users' folders stay out of sight, and the mount
       point of the persistent home costs no new inode in the upper layer on every boot. */
    mkdir_or_die(in_root("/home"), 0755);
    mount_or_die("tmpfs", in_root("/home"), "tmpfs", 0, "mode=755");
    mkdir_or_die(in_root("/home/machine"), 0755);
    snprintf(path, sizeof path, "%s/home", state);
    mount_or_die(path, in_root("/home/machine"), NULL, MS_BIND, NULL);
    mount_or_die("proc", in_root("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    /* Read-only sysfs is a convenience some hosts refuse (no network namespace of their own). */
    mount("sysfs", in_root("/sys"), "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    /* Other machines' folders stay out of sight (mounted before /tmp, which may hold them;
       under /home they are hidden already). */
    struct stat st;
    if (hide[0] != '\0' && stat(in_root(hide), &st) == 0 && S_ISDIR(st.st_mode))
        mount_or_die("tmpfs", in_root(hide), "tmpfs", MS_RDONLY, "size=4k,mode=755");
    mount_or_die("tmpfs", in_root("/tmp"), "tmpfs", 0, "mode=1777");
    mount_or_die("tmpfs", in_root("/run"), "tmpfs", 0, "mode=755");
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

    mkdir_or_die(in_root("/run/clawrun"), 0755);
    if (tools[0] != '\0') {
        mount_or_die(tools, in_root("/run/clawrun"), NULL, MS_BIND, NULL);
        mount_or_die(NULL, in_root("/run/clawrun"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
    }
    if (nat) {
        /* The host's resolv.conf may be a symlink to a resolver this machine cannot reach. */
        if (unlink(in_root("/etc/resolv.conf")) < 0 && errno != ENOENT) die("cannot replace", "/etc/resolv.conf");
        write_file_or_die(in_root("/etc/resolv.conf"), "nameserver 10.0.2.3\n", O_CREAT | O_TRUNC);
    }
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
    if (argc != 7) {
        fprintf(stderr, "usage: clawrun-init STATE ID TOOLS HIDE CGROUP none|nat (started by clawrun's local provider)\n");
        return 2;
    }
    const char *state = argv[1], *id = argv[2], *tools = argv[3], *hide = argv[4], *cgroup = argv[5];
    static char root[PATH_MAX];
    snprintf(root, sizeof root, "%s/root", state);
    machine_root = root;

    write_identity(state);
    if (cgroup[0] != '\0') {
        char procs[PATH_MAX];
        snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroup);
        /* Inside the new PID namespace getpid() is 1; "0" names the writing process itself. */
        write_file_or_die(procs, "0\n", 0);
    }
    build_root(state, tools, hide, strcmp(argv[6], "nat") == 0);
    bring_up_loopback();
    if (sethostname(id, strlen(id)) < 0) die("cannot set the hostname to", id);
    /* Readiness is this chroot: the provider waits until the init's root is the machine's root. */
    if (chdir(root) < 0) die("cannot enter", root);
    if (chroot(".") < 0) die("cannot change root to", root);
    if (chdir("/") < 0) die("cannot enter", "/");
    /* The provider waits for this line on the launcher's stdout instead of polling. A provider
       gone meanwhile finds the machine by its root instead, so a failed write changes nothing. */
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
