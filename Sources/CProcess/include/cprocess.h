/* Linux process primitives that Swift cannot call directly (variadic syscalls, spawn flags). */
#ifndef CLAWRUN_CPROCESS_H
#define CLAWRUN_CPROCESS_H

#include <sys/types.h>

/* Opens a pidfd for `pid` (Linux 5.3+); -1 with errno on failure. */
int clawrun_pidfd_open(pid_t pid);

/* Spawns `path` with `argv`/`envp` in a new session (so its whole process group can be killed),
   signals reset to default, the three descriptors dup'ed onto 0, 1, 2 (-1 leaves one unchanged),
   and `cwd` as working directory when not NULL. Returns 0 and sets *pid, or an errno value. */
int clawrun_spawn(const char *path, char *const argv[], char *const envp[],
                  int in_fd, int out_fd, int err_fd, const char *cwd, pid_t *pid);

/* Makes a pipe whose two ends close on exec; returns 0 or an errno value. */
int clawrun_pipe(int fds[2]);

/* Sets O_NONBLOCK on `fd`. */
int clawrun_set_nonblocking(int fd);

/* Makes an anonymous in-memory file (close-on-exec) to hand a command its stdin without a pipe
   that could block; returns its descriptor or -1 with errno. */
int clawrun_memfd(const char *name);

#endif
