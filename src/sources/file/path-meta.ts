/**
 * Pod, namespace and container from the name of a kubelet container log file (pure; no I/O):
 *
 *  - `/var/log/containers/<pod>_<namespace>_<container>-<container id>.log`: the kubelet's symlink
 *    (kubernetes pkg/kubelet/kuberuntime legacyLogSymlink / logSymlink:
 *    `fmt.Sprintf("%s_%s-%s", podFullName, containerName, containerID)` + `.log`, podFullName =
 *    `<pod>_<namespace>`; the container id is 64 hex digits, and the whole name is cut to 255
 *    bytes — ext4's limit — so a long one may end in a shorter id);
 *  - `/var/log/pods/<namespace>_<pod>_<pod uid>/<container>/<restart count>.log`
 *    (BuildPodLogsDirectory + buildContainerLogsPath, kubelet >= 1.14), and the kubelet's rotated
 *    copies `<n>.log.<YYYYMMDD-hhmmss>` and `<n>.log.<YYYYMMDD-hhmmss>.gz` (container log manager).
 *
 * Only the path's last segments are read, so copies of those trees elsewhere (`./support/pods/…`)
 * work too. Pod names are DNS-1123 subdomains, namespaces and containers DNS-1123 labels: none can
 * contain `_`, which is what makes the split unambiguous. Anything else: null.
 */
import type { KubernetesMeta } from '../../domain/record.ts';

const EXT4_NAME_MAX = 255;

function isLabel(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

function isSubdomain(s: string): boolean {
  return s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);
}

const CONTAINERS_NAME = /^(.+)-([0-9a-f]{1,64})\.log$/;
const PODS_FILE = /^\d+\.log(?:\.\d{8}-\d{6}(?:\.gz)?)?$/;

export function metaFromPath(path: string): KubernetesMeta | null {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0);
  const base = parts[parts.length - 1];
  if (base === undefined) return null;
  return fromContainersName(base) ?? fromPodsPath(parts);
}

/** `<pod>_<namespace>_<container>-<id>.log` */
function fromContainersName(base: string): KubernetesMeta | null {
  const us = base.split('_');
  if (us.length !== 3) return null;
  const [pod, namespace, rest] = us as [string, string, string];
  const m = CONTAINERS_NAME.exec(rest);
  if (m === null) return null;
  const container = m[1]!;
  const id = m[2]!;
  if (id.length !== 64 && base.length !== EXT4_NAME_MAX) return null;
  if (!isSubdomain(pod) || !isLabel(namespace) || !isLabel(container)) return null;
  return { namespace, pod, container };
}

/** `…/<namespace>_<pod>_<uid>/<container>/<n>.log` */
function fromPodsPath(parts: readonly string[]): KubernetesMeta | null {
  const n = parts.length;
  if (n < 3 || !PODS_FILE.test(parts[n - 1]!)) return null;
  const container = parts[n - 2]!;
  const dir = parts[n - 3]!.split('_');
  if (dir.length !== 3) return null;
  const [namespace, pod, uid] = dir as [string, string, string];
  if (uid.length === 0 || !isLabel(container) || !isSubdomain(pod) || !isLabel(namespace)) return null;
  return { namespace, pod, container };
}
