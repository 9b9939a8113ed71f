// The node agent's parsers, on lines as the kernel, klog, containerd and systemctl print them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { dfPercent, errorLines, journalLineUnit, redactLogLine, isErrorLogLine, parseFlags, parseKernelLine, parseKmsgRecord, parseMeminfo, parseSystemctlShow, referencedPaths } from "./parse-node.js";

describe("parseKernelLine", () => {
  it("reads OOM kills, both the cgroup and the global form", () => {
    assert.deepEqual(parseKernelLine("[ 8584.771390] Memory cgroup out of memory: Killed process 48213 (java) total-vm:4521012kB, anon-rss:1048576kB"), {
      kind: "oom-kill",
      text: "Memory cgroup out of memory: Killed process 48213 (java) total-vm:4521012kB, anon-rss:1048576kB",
      uptimeSeconds: 8584.77139,
      pid: 48213,
      process: "java",
    });
    assert.equal(parseKernelLine("Out of memory: Killed process 3120 (kube-apiserver) total-vm:1kB")?.process, "kube-apiserver");
    // the oom-killer invocation line alone is not a kill
    assert.equal(parseKernelLine("[ 1.0] java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0"), undefined);
  });
  it("reads NIC link changes from e1000/igb and virtio-style drivers, with a syslog prefix", () => {
    assert.deepEqual(
      [
        parseKernelLine("Nov 28 09:58:01 cp-1 kernel: [ 8123.400112] igb 0000:01:00.0 eth0: NIC Link is Down"),
        parseKernelLine("[   12.5] ens3: Link is Up - 10Gbps/Full - flow control off"),
      ].map((e) => [e?.kind, e?.device, e?.uptimeSeconds]),
      [
        ["link-down", "eth0", 8123.400112],
        ["link-up", "ens3", 12.5],
      ],
    );
  });
  it("reads conntrack overflow and ignores everything else", () => {
    assert.equal(parseKernelLine("nf_conntrack: nf_conntrack: table full, dropping packet")?.kind, "conntrack-full");
    assert.equal(parseKernelLine("[ 1.2] EXT4-fs (vda): mounted filesystem"), undefined);
  });
  it("takes the time of a /dev/kmsg record from its header (microseconds)", () => {
    assert.deepEqual(parseKmsgRecord("3,1234,8584771390,-;Out of memory: Killed process 1 (x)\n SUBSYSTEM=foo"), { uptimeSeconds: 8584.77139, message: "Out of memory: Killed process 1 (x)" });
  });
});

describe("log errors", () => {
  it("keeps klog E/F lines, logrus level=error|fatal and systemd failures; not I/W", () => {
    assert.equal(isErrorLogLine('E1128 10:00:02.123456    1234 kubelet.go:2855] "Container runtime network not ready"'), true);
    assert.equal(isErrorLogLine("F1128 10:00:02.123456    1234 server.go:1] failed"), true);
    assert.equal(isErrorLogLine('time="2026-11-28T09:55:00Z" level=error msg="x"'), true);
    assert.equal(isErrorLogLine("systemd[1]: kubelet.service: Failed with result 'exit-code'."), true);
    assert.equal(isErrorLogLine("I1128 10:00:01.000000    1234 kubelet.go:2000] sync"), false);
    assert.equal(isErrorLogLine("W1128 10:00:03.000000    1234 warnings.go:70] some warning"), false);
  });
  it("redacts credentials a log line echoes", () => {
    assert.equal(redactLogLine('E1128 x] request failed header="Authorization: Bearer eyJhbGciOi.abc-123"'), 'E1128 x] request failed header="Authorization: Bearer <redacted>"');
    assert.equal(redactLogLine("level=error msg=\"login\" password=hunter2 user=admin"), "level=error msg=\"login\" password=<redacted> user=admin");
    assert.equal(redactLogLine('E1128 x] bootstrap token: "abcdef.0123456789abcdef" rejected'), 'E1128 x] bootstrap token: "<redacted>" rejected');
    assert.equal(redactLogLine("E1128 x] --token-auth-file unreadable"), "E1128 x] --token-auth-file unreadable");
  });
  it("attributes journal lines to their service", () => {
    assert.equal(journalLineUnit('2026-11-28T09:41:01+0000 worker-1 kubelet[812]: E1128 09:41:01.120331 812 run.go:72] "command failed"'), "kubelet");
    assert.equal(journalLineUnit("2026-11-28T09:41:02+0000 worker-1 systemd[1]: kubelet.service: Failed with result 'exit-code'."), "kubelet");
    assert.equal(journalLineUnit('2026-11-28T09:41:02+0000 worker-1 dockerd[77]: time="x" level=error msg="y"'), "docker");
    assert.equal(journalLineUnit("-- No entries --"), "journal");
  });
  it("keeps the newest lines up to the limit, filtered by a mention", () => {
    const text = ["E1128 10:00:01.0 1 a.go:1] kubelet one", "E1128 10:00:02.0 1 a.go:1] other", "E1128 10:00:03.0 1 a.go:1] kubelet two"].join("\n");
    assert.deepEqual(errorLines(text, "syslog", 1, /kubelet/).map((l) => l.text), ["E1128 10:00:03.0 1 a.go:1] kubelet two"]);
  });
});

describe("parseFlags", () => {
  it("reads --a=b, --a b and bare --a; redacts secret-looking values that are not paths", () => {
    assert.deepEqual(parseFlags(["kube-apiserver", "--etcd-servers=https://127.0.0.1:2379", "--v", "2", "--profiling", "--oidc-client-secret=s3cr3t", "--token-auth-file=/etc/tokens.csv"]), {
      "etcd-servers": "https://127.0.0.1:2379",
      v: "2",
      profiling: "true",
      "oidc-client-secret": "<redacted>",
      "token-auth-file": "/etc/tokens.csv",
    });
    assert.deepEqual(referencedPaths({ a: "/x/y.crt", b: "https://h:1", c: "/a,/b" }), [{ flag: "a", path: "/x/y.crt" }]);
  });
});

describe("small parsers", () => {
  it("meminfo in bytes", () => {
    assert.deepEqual(parseMeminfo("MemTotal:        8141008 kB\nMemFree: 1 kB\nMemAvailable:    1024000 kB\n"), { totalBytes: 8141008 * 1024, availableBytes: 1024000 * 1024 });
    assert.equal(parseMeminfo("MemTotal: 1 kB\n"), undefined);
  });
  it("systemctl show blocks in order", () => {
    assert.deepEqual(parseSystemctlShow("Id=kubelet.service\nActiveState=active\n\nId=crio.service\nLoadState=not-found\n"), [
      { Id: "kubelet.service", ActiveState: "active" },
      { Id: "crio.service", LoadState: "not-found" },
    ]);
  });
  it("df's Use%: used / (used + available), rounded up", () => {
    assert.equal(dfPercent(42, 58), 42);
    assert.equal(dfPercent(1, 2), 34); // 33.3 -> 34
    assert.equal(dfPercent(0, 0), 0);
  });
});
