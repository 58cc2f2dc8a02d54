#define _GNU_SOURCE
#include "cprocess.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <linux/nsfs.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int clawrun_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int clawrun_memfd(const char *name) { return (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC); }

int clawrun_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno; }

int clawrun_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int clawrun_epoll_add(int epfd, int fd, unsigned long long token) {
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = token};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

int clawrun_epoll_del(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) == 0 ? 0 : errno; }

int clawrun_epoll_wait(int epfd, unsigned long long *tokens, int max, int timeout_ms) {
    struct epoll_event events[256];
    int n = epoll_wait(epfd, events, max < 256 ? max : 256, timeout_ms);
    for (int i = 0; i < n; i++) tokens[i] = events[i].data.u64;
    return n;
}

int clawrun_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return errno;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 ? 0 : errno;
}

int clawrun_spawn(const char *path, char *const argv[], char *const envp[],
                  int in_fd, int out_fd, int err_fd, const char *cwd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t all, none;
    int rc;

    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    if (in_fd >= 0) posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    if (out_fd >= 0) posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&actions, cwd);
    /* Descriptors the caller left inheritable (NIO's listening and accepted sockets, say) would
       otherwise live on in a machine's init, which outlives the caller: `clawrun serve` could not
       bind its port again, and a machine could take the API's sockets from its PID 1. */
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

#define NS_MAX 6
#define NS_SLOTS (NS_MAX + 1)
/* The children run on stacks in the caller's frame (it is suspended while they run): an mmap and
   munmap per command would cost a TLB shootdown across all of the caller's threads. */
#define ENTERING_STACK (16 * 1024)
#define COMMAND_STACK (32 * 1024)

/* Shared by the caller and both clone children (CLONE_VM): the children only read it, apart from
   the results they leave for the caller. */
struct machine_spawn {
    int ns[NS_SLOTS];
    int ns_count;
    int root_fd;
    int cgroup_fd;
    int fds[3];
    const char *cwd;
    char *const *argv;
    char *const *envp;
    char *command_stack_top;
    pid_t pid;   /* the command's pid, set by the middle child */
    int error;   /* errno of the step that failed before the command could run */
};

/* The kernel's sigaction with a default or ignoring handler: the fields after sa_flags are zero,
   which reads the same with or without the sa_restorer field some architectures have. */
struct reset_action {
    unsigned long handler, flags, restorer, mask;
};

static void put(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

/* Tells the command's stderr why it could not start and exits the way env and nsenter do. */
static void give_up(const char *what, const char *name, int error, int code) {
    put("clawrun: ");
    put(what);
    put(" '");
    put(name);
    put("': ");
    put(strerrordesc_np(error));
    put("\n");
    _exit(code);
}

/* The command's argv as the real Executions API runs it: execve(2), no PATH search and no shell
   for a script without a shebang. argv[0] must be a path; a bare name is refused before anything
   runs, as is a path execve cannot start: the error reaches the caller (which reports a refusal,
   error_code and no exit_code, as Dedalus does for a command that never ran). */
static _Noreturn void exec_command(struct machine_spawn *s) {
    const char *file = s->argv[0];
    if (strchr(file, '/') == NULL) {
        s->error = ENOENT;
        _exit(127);
    }
    execve(file, s->argv, s->envp);
    s->error = errno;
    _exit(127);
}

/* The command: a new session in the machine's root, under the machine's rules, then its own program. */
static int command_child(void *arg) {
    struct machine_spawn *s = arg;
    if (setsid() < 0) goto failed;
    if (fchdir(s->root_fd) < 0 || chroot(".") < 0) goto failed;
    for (int i = 0; i < 3; i++) {
        if (s->fds[i] == i) {
            if (fcntl(i, F_SETFD, 0) < 0) goto failed;
        } else if (dup2(s->fds[i], i) < 0) {
            goto failed;
        }
    }
    /* Descriptors the host process left inheritable (its sockets, say) are not the machine's.
       Before Linux 5.9 this fails, and the command gets them as it did through nsenter. */
    close_range(3, ~0U, 0);
    /* Handlers are the caller's code in the caller's memory: none may run here, and the command
       starts with every signal at its default and none blocked, as posix_spawn gives it. */
    struct reset_action dfl = {(unsigned long)SIG_DFL, 0, 0, 0};
    for (int sig = 1; sig < _NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) syscall(SYS_rt_sigaction, sig, &dfl, NULL, _NSIG / 8);
    unsigned long none[_NSIG / (8 * sizeof(unsigned long))] = {0};
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, none, NULL, _NSIG / 8);
    int guard = clawrun_guard_machine_process();
    if (guard != 0) {
        errno = guard;
        goto failed;
    }
    if (chdir(s->cwd) < 0) give_up("cannot change directory to", s->cwd, errno, 125);
    exec_command(s);
failed:
    s->error = errno;
    _exit(127);
}

/* Between the caller and the command: joins the machine's cgroup (the command inherits it) and
   namespaces (a PID namespace applies to children only), becomes the machine's root, and starts
   the command as the caller's child, so the caller reaps and watches it. Credentials change
   through raw system calls: glibc's would signal the caller's threads. */
static int entering_child(void *arg) {
    struct machine_spawn *s = arg;
    if (s->cgroup_fd >= 0 && write(s->cgroup_fd, "0", 1) != 1) goto failed;
    for (int i = 0; i < s->ns_count; i++)
        if (setns(s->ns[i], 0) < 0) goto failed;
    /* Under a rootless clawrun setgroups is denied, and the caller's groups are all it has. */
    if (syscall(SYS_setgroups, 0, NULL) < 0 && errno != EPERM) goto failed;
    if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0) goto failed;
    pid_t pid = clone(command_child, s->command_stack_top, CLONE_VM | CLONE_VFORK | CLONE_PARENT, s);
    if (pid < 0) s->error = errno;
    else s->pid = pid;
    _exit(0);
failed:
    s->error = errno;
    _exit(1);
}

/* Field 22 of /proc/<pid>/stat, read through the process's /proc directory. */
static int start_time_matches(int dir, unsigned long long expected) {
    char buf[1024];
    int fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL) return 0;
    /* Each step reaches the space before the next field: field 3 (state) first, 22 last. */
    for (int field = 3; field <= 22; field++) {
        p = strchr(p + 1, ' ');
        if (p == NULL) return 0;
    }
    return strtoull(p + 1, NULL, 10) == expected;
}

int clawrun_machine_spawn(pid_t init_pid, unsigned long long init_start, int enter_user, int cgroup_fd,
                          char *const argv[], char *const envp[], const char *cwd,
                          int in_fd, int out_fd, int err_fd, pid_t *pid) {
    static const char *const names[] = {"ns/ipc", "ns/uts", "ns/net", "ns/pid", "ns/mnt", "ns/user"};
    _Alignas(16) char entering_stack[ENTERING_STACK];
    _Alignas(16) char command_stack[COMMAND_STACK];
    struct machine_spawn s = {.ns_count = 0, .root_fd = -1, .cgroup_fd = cgroup_fd, .fds = {in_fd, out_fd, err_fd},
                              .cwd = cwd, .argv = argv, .envp = envp,
                              .command_stack_top = command_stack + COMMAND_STACK, .pid = 0, .error = 0};
    int rc = 0;
    char dir_path[32];

    /* Everything is opened through the init's /proc directory, which stops working rather than
       naming another process should the init die and its pid be reused. */
    snprintf(dir_path, sizeof dir_path, "/proc/%d", (int)init_pid);
    int dir = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return errno == ENOENT ? ESRCH : errno;
    if (!start_time_matches(dir, init_start)) {
        close(dir);
        return ESRCH;
    }
    /* The order is the one the kernel allows: without root on the host, the outer user namespace
       (the owner of the PID namespace) first, for the right to join the others; the machine's own
       user namespace last, since joining it gives up every right outside it. */
    if (enter_user) {
        int pid_ns = openat(dir, "ns/pid", O_RDONLY | O_CLOEXEC);
        int outer = pid_ns < 0 ? -1 : ioctl(pid_ns, NS_GET_USERNS);
        rc = errno;
        if (pid_ns >= 0) close(pid_ns);
        if (outer < 0) goto out;
        rc = 0;
        s.ns[s.ns_count++] = outer;
    }
    for (int i = 0; i < NS_MAX; i++) {
        int fd = openat(dir, names[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            rc = errno;
            goto out;
        }
        s.ns[s.ns_count++] = fd;
    }
    s.root_fd = openat(dir, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s.root_fd < 0) {
        rc = errno;
        goto out;
    }
    /* The children share this memory and, until they exec, must not run any of the caller's
       handlers: every signal, glibc's internal ones included, stays blocked meanwhile. */
    unsigned long all[_NSIG / (8 * sizeof(unsigned long))], old[_NSIG / (8 * sizeof(unsigned long))];
    memset(all, 0xff, sizeof all);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, all, old, _NSIG / 8);
    /* Sharing the descriptor table spares copying it twice (the command gets its own copy). */
    pid_t middle = clone(entering_child, entering_stack + ENTERING_STACK, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD,
                         &s);
    if (middle < 0) {
        rc = errno;
    } else {
        while (waitpid(middle, NULL, 0) < 0 && errno == EINTR) {}
        if (s.pid > 0 && s.error != 0) {
            /* The command failed before its exec; it is this process's child, so reap it here. */
            while (waitpid(s.pid, NULL, 0) < 0 && errno == EINTR) {}
        }
        rc = s.error != 0 ? s.error : s.pid > 0 ? 0 : ECHILD;
    }
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, old, NULL, _NSIG / 8);
    if (rc == 0) *pid = s.pid;

out:
    for (int i = 0; i < s.ns_count; i++) close(s.ns[i]);
    if (s.root_fd >= 0) close(s.root_fd);
    close(dir);
    return rc;
}

int clawrun_mark_top_directory(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    /* The kernel reads and writes an int here, whatever the ioctl's declared size. */
    int flags = 0, rc = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
        rc = errno;
    } else if (!(flags & FS_TOPDIR_FL)) {
        flags |= FS_TOPDIR_FL;
        if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0) rc = errno;
    }
    close(fd);
    return rc;
}
