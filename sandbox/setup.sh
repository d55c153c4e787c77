# lambdafit execution-environment setup. Runs as root, as PID 1 of fresh mount and PID namespaces
# (and a network namespace with --network none), started by the host as
#   setpriv --pdeathsig KILL unshare --mount --pid --fork --kill-child [--net] sh setup.sh
# It joins the environment's cgroups, builds the root file system from the fstab the host wrote
# (read-only skeleton, bundle at /var/task, layers at /opt, runtime at /var/runtime, a size-capped
# /tmp), switches to it, sets the rlimits, drops to the Lambda user and execs the runtime, which
# stays PID 1. When it or lambdafit dies, the kernel kills every process of the namespace and
# drops its mounts: nothing outlives the environment but its cgroups, which the host reaps.
# Control variables (LF_*) come from the host and are removed before the runtime starts.
set -eu
lambda_path=$PATH
PATH=/usr/sbin:/usr/bin:/sbin:/bin

if [ "${LF_NET:-}" = none ]; then
  ip link set lo up
  mkfifo "$LF_STAGE/relay-ready"
  "$LF_NODE" "$LF_RELAY" "$LF_API_SOCKET" "$LF_API_PORT" >"$LF_STAGE/relay-ready" 2>/dev/null </dev/null &
  read -r _ <"$LF_STAGE/relay-ready"
fi

# From here on every process is counted by the environment's cgroups.
for procs in $LF_CGROUP_PROCS; do
  echo 0 >"$procs"
done

# One mount -a builds the whole tree (the root skeleton first, read-only); see mount-plan.ts.
mount -a --fstab "$LF_FSTAB" --target-prefix "$LF_ROOT"
cd "$LF_ROOT"
pivot_root . .oldroot
umount -l /.oldroot
cd /var/task

ulimit -n 1024
ulimit -c 0
uid=$LF_UID
gid=$LF_GID
entry=$LF_ENTRY
setpriv=$LF_SETPRIV
unset LF_NET LF_STAGE LF_NODE LF_RELAY LF_API_SOCKET LF_API_PORT LF_CGROUP_PROCS LF_ROOT LF_FSTAB
unset LF_UID LF_GID LF_ENTRY LF_SETPRIV OLDPWD
PATH=$lambda_path
# Tells the host the runtime starts now: Init Duration is measured from here, not from the setup.
printf 'lambdafit:exec\n' >&2
exec "$setpriv" --reuid="$uid" --regid="$gid" --clear-groups --no-new-privs -- "$entry"
