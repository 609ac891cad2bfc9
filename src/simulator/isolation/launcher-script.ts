/**
 * The replica launcher, run by `/bin/sh` as PID 1 of fresh mount, PID and UTS namespaces (see
 * launcherArgv). It mounts the replica's filesystem from the fstab the simulator wrote, sets the
 * hostname, checks the command can be executed, then execs it chrooted (through `unshare --root`),
 * so the command itself becomes PID 1. Shell builtins only, apart from one `mount -a`: every
 * extra process costs milliseconds on each container start.
 *
 * Positional parameters: mount, mkdir and unshare binaries, replica dir, layer (disk | tmpfs),
 * hostname, working directory, uid and gid to run as (empty: root), then the command's argv. Fd 2 is the status pipe — `pid <host
 * pid>`, then `exec` or `fail <code> <reason>`; other lines are diagnostics of the setup and of
 * unshare itself — and fd 3 the replica's stderr, which becomes the command's fd 2. Every
 * variable is prefixed and unset before the exec, so the command gets exactly its env.
 */
export const LAUNCHER_SCRIPT = `
sl_mount=$1 sl_mkdir=$2 sl_unshare=$3 sl_dir=$4 sl_layer=$5 sl_host=$6 sl_wd=$7 sl_uid=$8 sl_gid=$9
shift 9
sl_fail() { printf 'fail %s %s\\n' "$1" "$2" >&2; exit "$1"; }
read -r sl_pid sl_rest </proc/self/stat
printf 'pid %s\\n' "$sl_pid" >&2
# In its own network namespace, the replica waits for the simulator to give it an interface.
if [ -p "$sl_dir/net-ready" ]; then
  read -r sl_net sl_rest <"$sl_dir/net-ready"
  [ "$sl_net" = ok ] || sl_fail 125 "network $sl_rest"
fi
if [ "$sl_layer" = tmpfs ]; then
  "$sl_mount" -t tmpfs -o mode=0700 sockerless-layer "$sl_dir/layer" &&
    "$sl_mkdir" "$sl_dir/layer/upper" "$sl_dir/layer/work" || sl_fail 125 layer
fi
"$sl_mount" -a -T "$sl_dir/fstab" || sl_fail 125 mounts
printf %s "$sl_host" >/proc/sys/kernel/hostname || sl_fail 125 hostname
sl_root=$sl_dir/root
[ -d "$sl_root$sl_wd" ] || "$sl_mkdir" -p "$sl_root$sl_wd" || sl_fail 125 workdir

# execvp's lookup, done here so a missing command is told apart from one that exits 127.
sl_found= sl_denied=
sl_try() {
  if [ -f "$1" ] && [ -x "$1" ]; then sl_found=1; elif [ -e "$1" ]; then sl_denied=1; fi
}
case $1 in
  /*) sl_try "$sl_root$1" ;;
  */*) sl_try "$sl_root$sl_wd/$1" ;;
  *)
    set -f; IFS=:
    for sl_d in \${PATH-/usr/bin:/bin}; do
      case $sl_d in
        /*) sl_try "$sl_root$sl_d/$1" ;;
        *) sl_try "$sl_root$sl_wd/\${sl_d:-.}/$1" ;;
      esac
      [ -n "$sl_found" ] && break
    done
    unset IFS; set +f
    ;;
esac
if [ -z "$sl_found" ]; then
  if [ -n "$sl_denied" ]; then sl_fail 126 denied; else sl_fail 127 notfound; fi
fi

printf 'exec\\n' >&2
if [ -n "$sl_uid" ]; then
  set -- "$sl_unshare" --root="$sl_root" --wd="$sl_wd" --setgid="$sl_gid" --setuid="$sl_uid" -- "$@"
else
  set -- "$sl_unshare" --root="$sl_root" --wd="$sl_wd" -- "$@"
fi
unset sl_net sl_mount sl_mkdir sl_unshare sl_dir sl_layer sl_host sl_wd sl_uid sl_gid sl_pid sl_rest sl_root sl_found sl_denied sl_d
unset -f sl_fail sl_try
exec "$@" 2>&3 3>&-
`;

/** Where the launcher finds what it runs; resolved once at simulator start. */
export interface LauncherTools {
  sh: string;
  mount: string;
  mkdir: string;
  unshare: string;
}

export type LayerBacking = 'disk' | 'tmpfs';

export interface LaunchTarget {
  replicaDir: string;
  layer: LayerBacking;
  hostname: string;
  workingDir: string;
  /** Numeric ids the command runs as; root when absent. */
  user?: { uid: number; gid: number };
  argv: readonly string[];
  /** Its own network namespace (set up by the simulator once the launcher said its pid). */
  network?: boolean;
}

/**
 * `unshare` with --fork makes the launcher PID 1 of the new PID namespace; --kill-child takes the
 * namespace down if unshare itself is killed; private propagation keeps every mount in the replica.
 */
/** $0 of the launcher shell, so its argv tells it apart from the command's. */
export const LAUNCHER_NAME = 'sockerless-replica';

/** True while `argv` (of the replica's PID 1) is still the launcher's, or its final `unshare --root`. */
export function isLauncherArgv(argv: readonly string[]): boolean {
  return argv[3] === LAUNCHER_NAME || (argv[1]?.startsWith('--root=') ?? false);
}

export function launcherArgv(tools: LauncherTools, target: LaunchTarget): string[] {
  return [
    tools.unshare,
    '--mount', '--uts', '--pid', ...(target.network ? ['--net'] : []), '--fork', '--kill-child', '--propagation', 'private',
    '--', tools.sh, '-c', LAUNCHER_SCRIPT, LAUNCHER_NAME,
    tools.mount, tools.mkdir, tools.unshare,
    target.replicaDir, target.layer, target.hostname, target.workingDir,
    target.user ? String(target.user.uid) : '', target.user ? String(target.user.gid) : '',
    ...target.argv,
  ];
}
