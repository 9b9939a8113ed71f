// `kubesleuth node`: the node agent. Collects a node-diagnostics file on a node (read-only) for `scan`.
import type { Command } from "commander";
import { collectNode, unavailableParts, writeNodeDiagnostics } from "../../sources/node/collect-node.js";
import { UsageError } from "../errors.js";
import type { CommandContext } from "../options.js";

const HELP = `
Reads, and changes nothing: kubelet and container runtime (containerd, cri-o, docker) service
state (systemd, else processes in /proc), their recent error log lines (journald, else
/var/log files), disk and inode use of /var/lib/kubelet, the runtime directories and /var/log
with their largest sub-directories, kernel messages (OOM kills, NIC link changes, conntrack
table full), conntrack use, the sysctls networking needs, /etc/kubernetes/manifests and the
certificates in /etc/kubernetes/pki and /var/lib/kubelet/pki (expiry, SANs, whether the key
matches: key contents are never read out). A part that cannot be read is recorded as "not
available (why)". Output: a node-diagnostics JSON file (src/sources/node/README.md) that
\`kubesleuth scan\` merges with a cluster snapshot.

On the node itself (as root, to read the kernel log and the PKI):
  sudo kubesleuth node -o node-$(hostname).json

Through kubectl debug, with an image that has Node.js 20+ and kubesleuth: the debug pod shares
the host's PID and network namespaces and mounts the node's filesystem at /host:
  kubectl debug node/worker-1 --profile=sysadmin --quiet -i --image=IMAGE \\
    -- kubesleuth node --root /host --node-name worker-1 > node-worker-1.json
Or, when kubesleuth is installed on the node, run it inside the host's root (then systemd and
journald are reachable as on the host):
  kubectl debug node/worker-1 --profile=sysadmin --quiet -i --image=busybox \\
    -- chroot /host kubesleuth node --node-name worker-1 > node-worker-1.json
Delete the finished debug pod afterwards: kubectl get pods | grep node-debugger-worker-1.

Then scan the cluster with it:
  kubesleuth snapshot -o cluster.tar.gz
  kubesleuth scan cluster.tar.gz node-worker-1.json
or carry it in the archive: kubesleuth snapshot -o cluster.tar.gz --node-diagnostics node-worker-1.json

--root: paths are read under it (/host in a debug pod; a directory laid out like a node's
filesystem works too). systemctl, journalctl (without /var/log/journal under the root) and
dmesg are only used when --root is /.
Exit codes: 0 written, 2 usage error or the output could not be written.
`;

interface NodeOptions {
  root: string;
  output?: string;
  nodeName?: string;
  since: string;
  walkTimeout: string;
  debug?: boolean;
}

export function registerNodeCommand(program: Command, context: CommandContext): void {
  program
    .command("node")
    .description("Node agent: collect a node-diagnostics file on this node (kubelet, runtime, disk, kernel, sysctls, static pods, certificates). Read-only.")
    .option("--root <dir>", "the node's filesystem root (/host in a kubectl debug pod)", "/")
    .option("-o, --output <file>", "write the node-diagnostics JSON here (default: stdout)")
    .option("--node-name <name>", "the Kubernetes node name (default: the host name, lowercased, as the kubelet registers it)")
    .option("--since <duration>", "how far back to read service logs from journald, e.g. 30m, 2h, 1d", "1h")
    .option("--walk-timeout <seconds>", "time budget of the directory size walk, per directory", "5")
    .option("--debug", "print stack traces on errors")
    .addHelpText("after", HELP)
    .action(async (opts: NodeOptions) => {
      context.setDebug(opts.debug === true);
      if (!/^\d+[smhd]$/.test(opts.since)) throw new UsageError(`--since "${opts.since}": expected a number and a unit (s, m, h, d)`, "e.g. --since 30m");
      const walkSeconds = Number(opts.walkTimeout);
      if (!Number.isFinite(walkSeconds) || walkSeconds <= 0) throw new UsageError(`--walk-timeout "${opts.walkTimeout}": expected seconds > 0`, "e.g. --walk-timeout 10");
      const diagnostics = await collectNode({
        root: opts.root,
        nodeName: opts.nodeName,
        since: `-${opts.since.replace(/m$/, "min")}`,
        walkTimeoutMs: walkSeconds * 1000,
        now: context.io.now(),
      });
      const missing = unavailableParts(diagnostics);
      if (opts.output) {
        try {
          await writeNodeDiagnostics(diagnostics, opts.output);
        } catch (e) {
          throw new UsageError(`cannot write ${opts.output}: ${(e as Error).message}`);
        }
        context.io.stderr(`wrote ${opts.output}: node ${diagnostics.node}${missing.length ? `; not available: ${missing.join("; ")}` : ""}\n`);
      } else {
        context.io.stdout(`${JSON.stringify(diagnostics, null, 2)}\n`);
      }
    });
}
