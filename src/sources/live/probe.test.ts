// The probe's script output classification and the exec session, with a fake exec connector (the
// WebSocket transport is client-node's). Expected verdicts come from the tools' documented exit
// codes: nc -z 0 = connected; curl 6 resolve, 7 connect, 28 timeout (curl(1) EXIT CODES); GNU wget 4
// network failure, 8 server error response (wget(1) EXIT STATUS); busybox wget prints the error.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Writable } from "node:stream";
import { KubeConfig, type V1Status } from "@kubernetes/client-node";
import { classifyProbe, probeCommand, runProbe, type ExecConnector } from "./probe.js";

const request = { namespace: "web", pod: "storefront-1", container: "app", host: "orders.shop.svc", port: 80 };

describe("probe", () => {
  it("classifies each tool's outcome", () => {
    const v = (out: string) => classifyProbe(out).verdict;
    assert.equal(v("kubesleuth-probe tool=nc rc=0\n"), "connected");
    assert.equal(v("nc: orders.shop.svc (10.0.0.20:80): Connection timed out\nkubesleuth-probe tool=nc rc=1\n"), "failed");
    assert.equal(v("curl: (28) Connection timed out after 5001 milliseconds\nkubesleuth-probe tool=curl rc=28\n"), "failed");
    assert.equal(v("curl: (7) Failed to connect to orders.shop.svc port 80\nkubesleuth-probe tool=curl rc=7\n"), "failed");
    assert.equal(v("curl: (6) Could not resolve host: orders.shop.svc\nkubesleuth-probe tool=curl rc=6\n"), "failed");
    assert.equal(v("curl: (52) Empty reply from server\nkubesleuth-probe tool=curl rc=52\n"), "connected");
    assert.equal(v("wget: server returned error: HTTP/1.1 404 Not Found\nkubesleuth-probe tool=wget rc=1\n"), "connected");
    assert.equal(v("wget: can't connect to remote host (10.0.0.20): Connection refused\nkubesleuth-probe tool=wget rc=1\n"), "failed");
    assert.equal(v("kubesleuth-probe tool=wget rc=4\n"), "failed");
    assert.equal(v("kubesleuth-probe tool=wget rc=8\n"), "connected");
    assert.equal(v("kubesleuth-probe tool=none rc=127\n"), "no-tool");
    assert.equal(v("sh: not found\n"), "error");
  });

  it("passes host and port as arguments, not inside the script", () => {
    const cmd = probeCommand({ ...request, host: "x; rm -rf /" });
    assert.deepEqual(cmd.slice(0, 2), ["sh", "-c"]);
    assert.ok(!cmd[2]!.includes("rm -rf"));
    assert.deepEqual(cmd.slice(3), ["kubesleuth-probe", "x; rm -rf /", "80"]);
  });

  it("runs the exec session: stdout classified, a Failure status without exit code is an error, a hang times out", async () => {
    const fake = (stdout: string, status: V1Status | undefined): ExecConnector => ({
      exec: async (_ns, _pod, _container, _command, out: Writable | null, _err, _in, _tty, done?: (s: V1Status) => void) => {
        out?.write(Buffer.from(stdout));
        if (status) setImmediate(() => done?.(status));
        return { close() {} } as never;
      },
    });
    const kc = new KubeConfig();
    const ok = await runProbe(kc, request, { exec: fake("kubesleuth-probe tool=nc rc=0\n", { status: "Success" }) });
    assert.deepEqual([ok.verdict, ok.tool], ["connected", "nc"]);
    const denied = await runProbe(kc, request, { exec: fake("", { status: "Failure", message: 'pods "storefront-1" is forbidden: cannot create resource "pods/exec"' }) });
    assert.equal(denied.verdict, "error");
    assert.match(denied.detail, /forbidden/);
    // client-node rejects a refused upgrade with ws's ErrorEvent, which is no Error.
    const refused: ExecConnector = { exec: () => Promise.reject({ type: "error", message: "Unexpected server response: 403" }) };
    assert.match((await runProbe(kc, request, { exec: refused })).detail, /exec failed: Unexpected server response: 403/);
    const hung = await runProbe(kc, request, { exec: fake("", undefined), timeoutMs: 50 });
    assert.equal(hung.verdict, "error");
    assert.match(hung.detail, /no answer/);
  });
});
