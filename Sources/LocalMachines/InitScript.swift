/// The bash program that runs as PID 1 of a machine's namespaces: it builds the machine's root
/// and then stays to reap orphans. Arguments: state folder, machine id, tools directory (may be
/// empty), the host folder of all machines (hidden inside), cgroup directory (may be empty), and
/// "nat" when slirp4netns will give the machine outbound network.
enum InitScript {
    static let text = #"""
        set -eu
        S=$1 ID=$2 TOOLS=$3 HIDE=$4 CG=$5 NET=$6
        R=$S/root
        # The host pid and start time, read before /proc is replaced by the machine's own: the
        # provider finds, checks and kills the machine through them.
        read -r -a st < /proc/self/stat
        printf '%s %s\n' "${st[0]}" "${st[21]}" > "$S/init.pid"
        if [ -n "$CG" ]; then echo "${st[0]}" > "$CG/cgroup.procs"; fi
        mount -t overlay overlay -o "lowerdir=/,upperdir=$S/upper,workdir=$S/work" "$R"
        mkdir -p "$R/home/machine"
        mount --bind "$S/home" "$R/home/machine"
        mount -t proc proc "$R/proc"
        mount -t sysfs -o ro sysfs "$R/sys" || true
        # Other machines' folders stay out of sight (mounted before /tmp, which may hold them).
        if [ -d "$R$HIDE" ]; then mount -t tmpfs -o ro,size=4k,mode=755 tmpfs "$R$HIDE"; fi
        mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
        mount -t tmpfs -o mode=755 tmpfs "$R/run"
        mount -t tmpfs -o mode=755 tmpfs "$R/dev"
        for n in null zero full random urandom tty; do
            : > "$R/dev/$n"
            mount --bind "/dev/$n" "$R/dev/$n"
        done
        mkdir "$R/dev/pts" "$R/dev/shm"
        mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
        mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm"
        ln -s pts/ptmx "$R/dev/ptmx"
        ln -s /proc/self/fd "$R/dev/fd"
        ln -s /proc/self/fd/0 "$R/dev/stdin"
        ln -s /proc/self/fd/1 "$R/dev/stdout"
        ln -s /proc/self/fd/2 "$R/dev/stderr"
        mkdir -p "$R/run/clawrun"
        if [ -n "$TOOLS" ]; then
            mount --bind "$TOOLS" "$R/run/clawrun"
            mount -o remount,bind,ro "$R/run/clawrun"
        fi
        if [ "$NET" = nat ]; then
            rm -f "$R/etc/resolv.conf"
            echo 'nameserver 10.0.2.3' > "$R/etc/resolv.conf"
        fi
        ip link set lo up
        printf '%s' "$ID" > /proc/sys/kernel/hostname
        cd "$R"
        # Readiness is this chroot: the provider waits until the init's root is the merged root.
        # Bash reaps every child it gets, orphans included, whenever SIGCHLD interrupts the wait.
        exec chroot . /bin/bash -c 'trap : CHLD; sleep infinity & s=$!
            while :; do wait $s || true; kill -0 $s 2>/dev/null || { sleep infinity & s=$!; }; done'
        """#
}
