# lambdafit cleanup reaper. Started detached (own session) by the first sandbox of a lambdafit
# process, with its stdin a pipe from that process. The host writes one line per resource it
# creates:  "cgroup <dir>"  "dir <path>"  "pgid <id>". The pipe reaches EOF when lambdafit exits
# for any reason, SIGKILL included; then every resource still present is removed: remaining
# processes are killed, cgroups removed (after their tasks are gone), staging folders deleted.
# Resources lambdafit already released are simply absent by then.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
cgroups=''
dirs=''
pgids=''
nl='
'
while IFS= read -r line; do
  case $line in
    'cgroup '*) cgroups="$cgroups${line#cgroup }$nl" ;;
    'dir '*) dirs="$dirs${line#dir }$nl" ;;
    'pgid '*) pgids="$pgids ${line#pgid }" ;;
  esac
done

for id in $pgids; do kill -KILL "-$id" 2>/dev/null || true; done
IFS=$nl
for cg in $cgroups; do
  [ -d "$cg" ] || continue
  i=0
  while [ -d "$cg" ] && [ $i -lt 100 ]; do
    if [ -f "$cg/cgroup.kill" ]; then echo 1 >"$cg/cgroup.kill" 2>/dev/null || true; fi
    for pid in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    rmdir "$cg" 2>/dev/null || sleep 0.05
    i=$((i + 1))
  done
done
for d in $dirs; do
  [ -n "$d" ] && rm -rf -- "$d"
done
