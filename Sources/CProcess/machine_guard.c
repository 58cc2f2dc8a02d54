/* What every process of a local machine runs under, its PID 1 and each execution alike: no new
   privileges through setuid files, a smaller capability bounding set, and a seccomp filter that
   refuses the kernel interfaces no machine needs and that have been the way out of containers. */
#define _GNU_SOURCE
#include "cprocess.h"
#include <errno.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)

static const struct sock_filter machine_filter[] = {
    /* Another ABI (i386 through int 0x80, x32) could name the same calls by other numbers. */
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    /* The kernel keyring is not namespaced: keys would be shared with the host's. */
    DENY(SYS_keyctl), DENY(SYS_add_key), DENY(SYS_request_key),
    DENY(SYS_bpf), DENY(SYS_perf_event_open), DENY(SYS_userfaultfd),
    DENY(SYS_init_module), DENY(SYS_finit_module), DENY(SYS_delete_module),
    DENY(SYS_kexec_load), DENY(SYS_kexec_file_load),
    /* File handles open any inode of a filesystem, past the machine's root. */
    DENY(SYS_open_by_handle_at), DENY(SYS_name_to_handle_at),
    DENY(SYS_acct), DENY(SYS_swapon), DENY(SYS_swapoff), DENY(SYS_quotactl),
    DENY(SYS_io_uring_setup), DENY(SYS_io_uring_enter), DENY(SYS_io_uring_register),
    /* The new mount interface clones and moves trees between namespaces. */
    DENY(SYS_open_tree), DENY(SYS_move_mount), DENY(SYS_fsopen), DENY(SYS_fsconfig), DENY(SYS_fsmount),
    DENY(SYS_fspick), DENY(SYS_mount_setattr),
    /* clone3 passes its flags in memory, out of the filter's sight: ENOSYS makes glibc use clone. */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    /* No user namespace inside the machine's: a nested one would give root over new mounts. */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 1, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* Capabilities no machine needs even over its own namespaces. */
static const int dropped_capabilities[] = {
    CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_BOOT, CAP_SYS_TIME, CAP_SYSLOG, CAP_MAC_ADMIN, CAP_MAC_OVERRIDE,
    CAP_AUDIT_CONTROL, CAP_AUDIT_READ, CAP_AUDIT_WRITE, CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND, CAP_LINUX_IMMUTABLE,
    CAP_BPF, CAP_PERFMON,
};

int clawrun_guard_machine_process(void) {
    for (size_t i = 0; i < sizeof dropped_capabilities / sizeof dropped_capabilities[0]; i++)
        if (syscall(SYS_prctl, PR_CAPBSET_DROP, dropped_capabilities[i], 0, 0, 0) < 0 && errno != EINVAL) return errno;
    if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return errno;
    struct sock_fprog prog = {.len = sizeof machine_filter / sizeof machine_filter[0],
                              .filter = (struct sock_filter *)machine_filter};
    /* SPEC_ALLOW: the filter is not a reason to slow every machine process with the speculative
       store bypass mitigation (the kernel's own policy for it still applies). */
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog) < 0) return errno;
    return 0;
}
