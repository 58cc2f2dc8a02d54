/* Linux process and file primitives that Swift cannot call directly (variadic syscalls and
   ioctls, spawn flags). */
#ifndef CLAWRUN_CPROCESS_H
#define CLAWRUN_CPROCESS_H

#ifndef __linux__
#error "clawrun builds on Linux only: local machines are Linux namespaces (pidfd, epoll, seccomp, pivot_root)"
#endif

#include <sys/types.h>

/* Opens a pidfd for `pid` (Linux 5.3+); -1 with errno on failure. */
int clawrun_pidfd_open(pid_t pid);

/* Spawns `path` with `argv`/`envp` in a new session (so its whole process group can be killed),
   signals reset to default, the three descriptors dup'ed onto 0, 1, 2 (-1 leaves one unchanged),
   every other descriptor closed, and `cwd` as working directory when not NULL. Returns 0 and
   sets *pid, or an errno value. */
int clawrun_spawn(const char *path, char *const argv[], char *const envp[],
                  int in_fd, int out_fd, int err_fd, const char *cwd, pid_t *pid);

/* Makes a pipe whose two ends close on exec; returns 0 or an errno value. */
int clawrun_pipe(int fds[2]);

/* Sets O_NONBLOCK on `fd`. */
int clawrun_set_nonblocking(int fd);

/* Makes an epoll instance (close-on-exec); its descriptor or -1 with errno. */
int clawrun_epoll_create(void);

/* Watches `fd` for input (or hang-up) on `epfd`, reported with `token`; 0 or an errno value. */
int clawrun_epoll_add(int epfd, int fd, unsigned long long token);

/* Stops watching `fd` on `epfd`; 0 or an errno value. */
int clawrun_epoll_del(int epfd, int fd);

/* Waits up to `timeout_ms` (-1: no limit) for watched descriptors and stores the tokens of at most
   `max` ready ones; returns how many, or -1 with errno. Spares Swift epoll_event, packed on x86-64. */
int clawrun_epoll_wait(int epfd, unsigned long long *tokens, int max, int timeout_ms);

/* Makes an anonymous in-memory file (close-on-exec) to hand a command its stdin without a pipe
   that could block; returns its descriptor or -1 with errno. */
int clawrun_memfd(const char *name);

/* Starts argv[0] (searched in the PATH of `envp`, as execvp would) inside the machine whose init
   is `init_pid` with kernel start time `init_start`: in the init's IPC, UTS, network, PID, mount
   and user namespaces (first the outer user namespace that owns them when `enter_user`, for a
   clawrun without root), as root of the machine's user namespace, chrooted to the init's root,
   with `cwd`, in a new session (its pid is its process group), signals at their defaults, the
   three descriptors on 0, 1, 2, under the machine's rules (clawrun_guard_machine_process), and
   moved into the cgroup whose cgroup.procs is open as `cgroup_fd` (-1: none). No program runs in
   between: the command is the caller's own child. Returns 0 and sets *pid, ESRCH when the init
   is gone, or another errno value. When only `cwd` or the program is wrong, the command writes
   why on its stderr and exits 125, 126 or 127 (like env and execvp). */
int clawrun_machine_spawn(pid_t init_pid, unsigned long long init_start, int enter_user, int cgroup_fd,
                          char *const argv[], char *const envp[], const char *cwd,
                          int in_fd, int out_fd, int err_fd, pid_t *pid);

/* Marks the directory at `path` as the top of a hierarchy (`chattr +T`): ext2/3/4 then spread its
   subdirectories over block groups, as they do the root's. Returns 0, or an errno value (ENOTTY
   or EOPNOTSUPP on filesystems without the flag). */
int clawrun_mark_top_directory(const char *path);

/* Puts the calling thread under a machine's rules before it runs machine code: no_new_privs, a
   smaller capability bounding set and the machine's seccomp filter (machine_guard.c). Only raw
   system calls, so a clone child that shares its parent's memory may call it. 0 or an errno value. */
int clawrun_guard_machine_process(void);

#endif
