// The node agent on this Linux machine's real /proc and /sys (root "/"), checked against figures read
// independently here (free, df, sysctl, pgrep, dmesg), and on fixture directories laid out like a node.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { collectNode } from "./collect-node.js";
import type { NodeDiagnostics } from "../../model/node-diagnostics.js";

const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/node-root/", import.meta.url));
const NOW = Date.parse("2026-11-28T10:30:00Z");

function sh(command: string, cwd?: string): string {
  return execFileSync("sh", ["-c", command], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function available<T extends { available: boolean }>(section: T): Extract<T, { available: true }> {
  assert.equal(section.available, true, `not available: ${(section as { reason?: string }).reason}`);
  return section as Extract<T, { available: true }>;
}

describe("node agent on this machine (root /)", () => {
  let d: NodeDiagnostics;
  before(async () => {
    d = await collectNode({ root: "/", now: NOW, walkTimeoutMs: 3000 });
  });

  it("is a versioned document named after the host", () => {
    assert.equal(d.format, "kubesleuth-node-diagnostics");
    assert.equal(d.formatVersion, 1);
    assert.equal(d.node, sh("hostname").trim().toLowerCase());
    assert.equal(d.collectedAt, "2026-11-28T10:30:00Z");
  });

  it("reads MemTotal as free -b reports it", () => {
    const mem = available(d.memory);
    const line = sh("free -b").split("\n").find((l) => l.startsWith("Mem:"))!;
    const [, total, , , , , avail] = line.split(/\s+/);
    assert.equal(mem.totalBytes, Number(total));
    // MemAvailable moves between the two reads; free's "available" is the same field
    assert.ok(Math.abs(mem.availableBytes - Number(avail)) < 0.05 * Number(total), `${mem.availableBytes} vs ${avail}`);
  });

  it("reports /var/log's filesystem as df does", () => {
    const log = d.directories.find((x) => x.path === "/var/log")!;
    assert.equal(log.exists, true);
    const fs = log.filesystem!;
    const [size, avail, pcent, itotal, ifree, ipcent] = sh("df -B1 --output=size,avail,pcent,itotal,iavail,ipcent /var/log").trim().split("\n")[1]!.trim().split(/\s+/);
    assert.equal(fs.totalBytes, Number(size));
    assert.equal(fs.totalInodes, Number(itotal));
    // free space and free inodes change between the two reads (logs are written); allow a small drift
    assert.ok(Math.abs(fs.availableBytes - Number(avail)) < 256 * 1024 * 1024, `${fs.availableBytes} vs ${avail}`);
    assert.ok(Math.abs(fs.freeInodes - Number(ifree)) < 10_000, `${fs.freeInodes} vs ${ifree}`);
    assert.ok(Math.abs(fs.usedPercent - Number(pcent!.replace("%", ""))) <= 1, `${fs.usedPercent} vs ${pcent}`);
    if (ipcent !== "-") assert.ok(Math.abs((fs.inodesUsedPercent ?? -1) - Number(ipcent!.replace("%", ""))) <= 1);
    // the largest sub-directories are real sub-directories, biggest first
    for (const l of log.largest ?? []) assert.ok(existsSync(l.path) && l.path.startsWith("/var/log/"), l.path);
    const bytes = (log.largest ?? []).map((l) => l.bytes);
    assert.deepEqual(bytes, [...bytes].sort((a, b) => b - a));
  });

  it("marks the kubelet and runtime directories this machine lacks as absent", () => {
    for (const path of ["/var/lib/kubelet", "/var/lib/containerd", "/var/lib/docker", "/var/lib/containers"]) {
      const entry = d.directories.find((x) => x.path === path)!;
      assert.equal(entry.exists, existsSync(path), path);
    }
  });

  it("reads conntrack and sysctls as sysctl(8) does", () => {
    const sysctl = (name: string): string | null => {
      const r = spawnSync("sysctl", ["-n", name], { encoding: "utf8" });
      return r.status === 0 ? r.stdout.trim() : null;
    };
    const max = sysctl("net.netfilter.nf_conntrack_max");
    if (max === null) assert.equal(d.conntrack.available, false);
    else assert.equal(available(d.conntrack).max, Number(max));
    const s = available(d.sysctls);
    assert.equal(s.values["net.ipv4.ip_forward"], sysctl("net.ipv4.ip_forward"));
    assert.equal(s.values["net.ipv4.conf.all.rp_filter"], sysctl("net.ipv4.conf.all.rp_filter"));
    assert.equal(s.values["net.bridge.bridge-nf-call-iptables"], sysctl("net.bridge.bridge-nf-call-iptables"));
  });

  it("sees the same kubelet/containerd processes as pgrep, or systemd's view", () => {
    const services = available(d.services);
    if (services.method !== "proc") return assert.equal(services.method, "systemd");
    for (const [name, processName] of [["kubelet", "kubelet"], ["containerd", "containerd"]] as const) {
      const running = spawnSync("pgrep", ["-x", processName]).status === 0;
      assert.equal(services.units.find((u) => u.name === name)!.state, running ? "running" : "not running", name);
    }
  });

  it("counts the OOM kills dmesg shows (when the kernel log is readable)", () => {
    const r = spawnSync("dmesg", [], { encoding: "utf8" });
    if (r.status !== 0) return;
    const kernel = available(d.kernel);
    const ooms = r.stdout.split("\n").filter((l) => /Killed process \d+ \(/.test(l)).length;
    // the ring buffer may have dropped old records between the reads, never gained OOM kills we missed before ours
    assert.ok(kernel.events.filter((e) => e.kind === "oom-kill").length <= Math.max(ooms, 100));
    assert.equal(kernel.events.filter((e) => e.kind === "oom-kill").length, Math.min(ooms, 100));
  });

  it("says why the journal, static pods and certificates are not available when this machine has none", () => {
    const journalFiles = ["/var/log/journal", "/run/log/journal"].some((dir) => existsSync(dir) && readdirSync(dir).some((m) => existsSync(join(dir, m)) && sh(`ls ${join(dir, m)} 2>/dev/null || true`).includes(".journal")));
    const logFiles = ["kubelet.log", "containerd.log", "crio.log", "docker.log", "syslog", "messages"].some((f) => existsSync(join("/var/log", f)));
    if (!journalFiles && !logFiles) {
      assert.equal(d.journal.available, false);
      assert.match((d.journal as { reason: string }).reason, /no journald files/);
    }
    if (!existsSync("/etc/kubernetes/manifests")) {
      assert.equal(d.staticPods.available, false);
      assert.match((d.staticPods as { reason: string }).reason, /\/etc\/kubernetes\/manifests: no such file or directory/);
    }
    if (!existsSync("/etc/kubernetes/pki") && !existsSync("/var/lib/kubelet/pki")) assert.equal(d.certificates.available, false);
  });
});

/** openssl: a CA, certificates signed by it with chosen dates, and keys that do or do not match. */
function makePki(root: string): void {
  const pki = join(root, "etc/kubernetes/pki");
  // git keeps no empty directories: the PKI directories exist only once this creates them.
  for (const dir of [join(pki, "etcd"), join(root, "var/lib/kubelet/pki")]) mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "ks-pki-"));
  try {
    writeFileSync(join(work, "index.txt"), "");
    writeFileSync(join(work, "serial"), "1000\n");
    writeFileSync(
      join(work, "ca.cnf"),
      `[ca]\ndefault_ca=d\n[d]\ndir=${work}\ndatabase=${work}/index.txt\nnew_certs_dir=${work}\nserial=${work}/serial\npolicy=p\ndefault_md=sha256\ncopy_extensions=copy\nunique_subject=no\npreserve=yes\n[p]\norganizationName=optional\ncommonName=supplied\n`,
    );
    const ca = `openssl ca -batch -config ${work}/ca.cnf -cert ${pki}/ca.crt -keyfile ${pki}/ca.key -notext`;
    sh(`openssl req -x509 -newkey rsa:2048 -nodes -keyout ${pki}/ca.key -out ${pki}/ca.crt -subj /CN=kubernetes -days 3650`);
    // apiserver serving certificate, valid now, with kubeadm's SANs
    sh(`openssl req -newkey rsa:2048 -nodes -keyout ${pki}/apiserver.key -out ${work}/apiserver.csr -subj /CN=kube-apiserver -addext "subjectAltName=DNS:kubernetes,DNS:kubernetes.default.svc,IP:10.96.0.1,IP:10.0.0.10"`);
    sh(`${ca} -in ${work}/apiserver.csr -out ${pki}/apiserver.crt -startdate 20260101000000Z -enddate 20270101000000Z`);
    // expired: 2020-01-01 to 2021-01-01
    sh(`openssl req -newkey rsa:2048 -nodes -keyout ${pki}/apiserver-etcd-client.key -out ${work}/etcd-client.csr -subj /CN=kube-apiserver-etcd-client`);
    sh(`${ca} -in ${work}/etcd-client.csr -out ${pki}/apiserver-etcd-client.crt -startdate 20200101000000Z -enddate 20210101000000Z`);
    // etcd server certificate whose key file belongs to another key pair
    sh(`openssl req -newkey rsa:2048 -nodes -keyout ${work}/etcd-server-real.key -out ${work}/etcd-server.csr -subj /CN=cp-1`);
    sh(`${ca} -in ${work}/etcd-server.csr -out ${pki}/etcd/server.crt -startdate 20260101000000Z -enddate 20270101000000Z`);
    sh(`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ${pki}/etcd/server.key`);
    // kubelet client certificate and key in one PEM (kubelet-client-current.pem), ending 2026-12-08: 10 days after NOW
    sh(`openssl req -newkey rsa:2048 -nodes -keyout ${work}/kubelet.key -out ${work}/kubelet.csr -subj "/O=system:nodes/CN=system:node:cp-1"`);
    sh(`${ca} -in ${work}/kubelet.csr -out ${work}/kubelet.crt -startdate 20251208000000Z -enddate 20261208000000Z`);
    writeFileSync(join(root, "var/lib/kubelet/pki/kubelet-client-current.pem"), readFileSync(join(work, "kubelet.crt"), "utf8") + readFileSync(join(work, "kubelet.key"), "utf8"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe("node agent on a control-plane fixture root", () => {
  let root: string;
  let d: NodeDiagnostics;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), "ks-node-root-"));
    cpSync(join(FIXTURES, "control-plane"), root, { recursive: true });
    makePki(root);
    d = await collectNode({ root, now: NOW });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("takes the node name from /etc/hostname, lowercased as the kubelet registers it", () => {
    assert.equal(d.node, "cp-1");
    assert.equal(d.root, root);
  });

  it("finds containerd running and the installed kubelet not running (no systemd under a fixture root)", () => {
    const s = available(d.services);
    assert.equal(s.method, "proc");
    assert.deepEqual(
      s.units.map((u) => [u.name, u.state, u.installed]),
      [
        ["kubelet", "not running", true], // usr/bin/kubelet exists, no process named kubelet
        ["containerd", "running", true], // proc/101/comm
        ["crio", "not running", false],
        ["docker", "not running", false],
      ],
    );
    assert.deepEqual(s.units[1]!.pids, [101]);
  });

  it("reads the kubelet's error lines from /var/log/kubelet.log (no journal under the root)", () => {
    const j = available(d.journal);
    assert.match(j.source, /\/var\/log\/kubelet\.log/);
    // kubelet.log has two E lines; the I and W lines are not errors
    assert.deepEqual(j.errors.map((e) => e.text.slice(0, 21)), ["E1128 10:00:02.123456", "E1128 10:00:04.654321"]);
  });

  it("reads /proc/meminfo of the root", () => {
    const m = available(d.memory);
    assert.equal(m.totalBytes, 8141008 * 1024);
    assert.equal(m.availableBytes, 1024000 * 1024);
  });

  it("walks the kubelet and runtime directories", () => {
    const containerd = d.directories.find((x) => x.path === "/var/lib/containerd")!;
    assert.equal(containerd.exists, true);
    assert.deepEqual(containerd.largest, [{ path: "/var/lib/containerd/io.containerd.content.v1.content", bytes: 300000 }]);
    assert.equal(containerd.walkComplete, true);
    const kubelet = d.directories.find((x) => x.path === "/var/lib/kubelet")!;
    // pods/pod-a/data is 1000 bytes; pki holds the kubelet-client-current.pem written by the test
    assert.equal(kubelet.largest!.find((l) => l.path === "/var/lib/kubelet/pods")!.bytes, 1000);
    assert.ok(kubelet.filesystem!.totalBytes > 0);
    assert.equal(d.directories.find((x) => x.path === "/var/lib/docker")!.exists, false);
  });

  it("stops the size walk at its entry budget and says the sizes are lower bounds", async () => {
    const small = await collectNode({ root, now: NOW, walkMaxEntries: 1 });
    // /var/lib/containerd holds one entry below its sub-directory (the blob): within a budget of 1
    assert.equal(small.directories.find((x) => x.path === "/var/lib/containerd")!.walkComplete, true);
    // /var/lib/kubelet: pki/kubelet-client-current.pem is entry 1, pods/pod-a entry 2: over the budget
    const kubelet = small.directories.find((x) => x.path === "/var/lib/kubelet")!;
    assert.equal(kubelet.walkComplete, false);
    assert.match(kubelet.note ?? "", /size walk stopped after 2 entries .*lower bounds/);
  });

  it("finds the link flap, conntrack drops and the OOM kill in kern.log, nothing else", () => {
    const k = available(d.kernel);
    assert.equal(k.source, "/var/log/kern.log");
    assert.deepEqual(
      k.events.map((e) => [e.kind, e.device ?? e.process ?? "", e.uptimeSeconds]),
      [
        ["link-down", "eth0", 8123.400112],
        ["link-up", "eth0", 8126.51233],
        ["conntrack-full", "", 8319.001002],
        ["conntrack-full", "", 8319.004511],
        ["oom-kill", "java", 8584.77139],
      ],
    );
    assert.equal(k.events.find((e) => e.kind === "oom-kill")!.pid, 48213);
  });

  it("reads conntrack use and the networking sysctls", () => {
    assert.deepEqual({ ...available(d.conntrack) }, { available: true, count: 262100, max: 262144 });
    const s = available(d.sysctls);
    assert.equal(s.values["net.ipv4.ip_forward"], "0");
    assert.equal(s.values["net.bridge.bridge-nf-call-iptables"], "1");
    assert.equal(s.values["net.ipv6.conf.all.forwarding"], null); // not in the fixture
    assert.equal(s.brNetfilterLoaded, true);
    assert.equal(s.notes.length, 1);
    assert.match(s.notes[0]!, /^net\.ipv4\.conf\.all\.rp_filter=1/);
  });

  it("parses the static pod manifests, redacts secret-looking flags and checks referenced files", () => {
    const sp = available(d.staticPods);
    assert.deepEqual(sp.manifests.map((m) => [m.file, m.component, m.error === undefined]), [
      ["broken.yaml", "", false],
      ["etcd.yaml", "etcd", true],
      ["kube-apiserver.yaml", "kube-apiserver", true],
    ]);
    const api = sp.manifests[2]!;
    assert.equal(api.flags["etcd-servers"], "https://127.0.0.1:2379");
    assert.equal(api.flags["oidc-client-secret"], "<redacted>");
    assert.equal(api.flags["token-auth-file"], "/etc/kubernetes/tokens.csv"); // a path, not a secret
    assert.ok(!JSON.stringify(d).includes("do-not-print-me"));
    const missing = api.files.filter((f) => !f.exists).map((f) => f.path).sort();
    // makePki writes ca, apiserver, apiserver-etcd-client and etcd/server; the fixture has no front-proxy, sa.key, etcd/ca or tokens.csv
    assert.deepEqual(missing, ["/etc/kubernetes/pki/etcd/ca.crt", "/etc/kubernetes/pki/front-proxy-client.crt", "/etc/kubernetes/pki/sa.key", "/etc/kubernetes/tokens.csv"]);
  });

  it("reads certificate expiry, SANs and whether the key matches, without key material", () => {
    const c = available(d.certificates).certificates;
    const byPath = new Map(c.map((x) => [x.path, x]));
    assert.deepEqual([...byPath.keys()].sort(), [
      "/etc/kubernetes/pki/apiserver-etcd-client.crt",
      "/etc/kubernetes/pki/apiserver.crt",
      "/etc/kubernetes/pki/ca.crt",
      "/etc/kubernetes/pki/etcd/server.crt",
      "/var/lib/kubelet/pki/kubelet-client-current.pem",
    ]);
    const api = byPath.get("/etc/kubernetes/pki/apiserver.crt")!;
    assert.deepEqual(api.subjectAltNames, ["DNS:kubernetes", "DNS:kubernetes.default.svc", "IP Address:10.96.0.1", "IP Address:10.0.0.10"]);
    assert.equal(api.key, "matches");
    assert.equal(api.notAfter, "2027-01-01T00:00:00.000Z");
    assert.equal(byPath.get("/etc/kubernetes/pki/apiserver-etcd-client.crt")!.notAfter, "2021-01-01T00:00:00.000Z");
    assert.equal(byPath.get("/etc/kubernetes/pki/etcd/server.crt")!.key, "does not match");
    const kubelet = byPath.get("/var/lib/kubelet/pki/kubelet-client-current.pem")!;
    assert.equal(kubelet.key, "matches");
    assert.equal(kubelet.subject, "O=system:nodes, CN=system:node:cp-1");
    assert.ok(!/PRIVATE KEY/.test(JSON.stringify(d)));
  });
});

describe("node agent on an empty root", () => {
  it("reports every part as not available, with a reason, and does not throw", async () => {
    const root = mkdtempSync(join(tmpdir(), "ks-empty-root-"));
    try {
      const d = await collectNode({ root, now: NOW, nodeName: "worker-9" });
      assert.equal(d.node, "worker-9");
      for (const key of ["services", "journal", "memory", "kernel", "conntrack", "sysctls", "staticPods", "certificates"] as const) {
        assert.equal(d[key].available, false, key);
        assert.ok((d[key] as { reason: string }).reason.length > 10, key);
      }
      assert.ok(d.directories.every((x) => !x.exists));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
