// Pull errors as the runtimes word them, each string with where it comes from. Expected classes are
// what the message means (the runtime's own wording), not what the engine happens to return.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { classifyPullError, type PullClass } from "./pull-error-class.js";

const cases: { runtime: string; source: string; reason?: string; message: string; expected: PullClass }[] = [
  // ---- no variant for the node's platform
  {
    runtime: "containerd",
    source: 'containerd images/image.go: errors.Wrap(errdefs.ErrNotFound, "no match for platform in manifest"), wrapped by the CRI plugin',
    message: 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/acme/tool:1.0": no match for platform in manifest: not found',
    expected: "platformMismatch",
  },
  {
    runtime: "Docker (dockerd / cri-dockerd)",
    source: 'moby distribution/pull_v2.go noMatchesErr: "no matching manifest for %s in the manifest list entries"',
    message: "Error response from daemon: no matching manifest for linux/arm64/v8 in the manifest list entries",
    expected: "platformMismatch",
  },
  {
    runtime: "CRI-O (containers/image)",
    source: 'containers/image manifest list: "no image found in manifest list for architecture %q, variant %q, OS %q" (seen in CRI-O pull errors)',
    message: 'rpc error: code = Unknown desc = choosing image instance: no image found in manifest list for architecture "arm64", variant "v8", OS "linux"',
    expected: "platformMismatch",
  },
  // ---- not found
  {
    runtime: "containerd",
    source: "test/cluster/kwok/pod-faults-stages.yaml (containerd 2's NotFound for a missing tag)",
    message: 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.27.99": failed to resolve reference "docker.io/library/nginx:1.27.99": docker.io/library/nginx:1.27.99: not found',
    expected: "notFound",
  },
  {
    runtime: "Docker",
    source: 'moby: "manifest for %s not found: manifest unknown: manifest unknown" (distribution errcode MANIFEST_UNKNOWN)',
    message: "Error response from daemon: manifest for nginx:1.99 not found: manifest unknown: manifest unknown",
    expected: "notFound",
  },
  {
    runtime: "CRI-O",
    source: 'containers/image docker source: "reading manifest %s in %s: manifest unknown"',
    message: "rpc error: code = Unknown desc = reading manifest 1.99 in docker.io/library/nginx: manifest unknown: manifest unknown",
    expected: "notFound",
  },
  // ---- denied
  {
    runtime: "containerd",
    source: "test/cluster/kwok/pod-faults-stages.yaml (anonymous pull of a private repository)",
    message:
      'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/e2eshop/billing:2.0.1": failed to resolve reference "docker.io/e2eshop/billing:2.0.1": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    expected: "unauthorized",
  },
  {
    runtime: "Docker",
    source: "moby: \"pull access denied for %s, repository does not exist or may require 'docker login'\"",
    message: "Error response from daemon: pull access denied for acme/private, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    expected: "unauthorized",
  },
  {
    runtime: "CRI-O",
    source: "containers/image: registry 401 answer (distribution errcode UNAUTHORIZED)",
    message: "rpc error: code = Unknown desc = reading manifest 1.0 in quay.io/acme/private: unauthorized: access to the requested resource is not authorized",
    expected: "unauthorized",
  },
  {
    runtime: "Docker (ECR/GCR credential helpers)",
    source: 'docker/distribution registry client: "no basic auth credentials"',
    message: "Error response from daemon: Get https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/app/manifests/1.0: no basic auth credentials",
    expected: "unauthorized",
  },
  // ---- TLS
  {
    runtime: "containerd",
    source: "Go crypto/tls + x509 errors on the registry connection",
    message: 'rpc error: code = Unknown desc = failed to pull and unpack image "registry.internal/app:1": failed to resolve reference "registry.internal/app:1": failed to do request: Head "https://registry.internal/v2/app/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    expected: "tlsError",
  },
  {
    runtime: "Docker",
    source: "Go net/http: a plain-HTTP registry answering an HTTPS client",
    message: 'Error response from daemon: Get "https://10.0.0.5:5000/v2/": http: server gave HTTP response to HTTPS client',
    expected: "tlsError",
  },
  // ---- unreachable
  {
    runtime: "containerd",
    source: "test/cluster/kwok/pod-faults-stages.yaml (Go resolver: lookup HOST on SERVER: no such host)",
    message: 'rpc error: code = Unknown desc = failed to pull and unpack image "registry.internal.e2e-shop.example:5000/shop/frontend:2.3.1": failed to resolve reference "registry.internal.e2e-shop.example:5000/shop/frontend:2.3.1": failed to do request: Head "https://registry.internal.e2e-shop.example:5000/v2/shop/frontend/manifests/2.3.1": dial tcp: lookup registry.internal.e2e-shop.example on 127.0.0.53:53: no such host',
    expected: "registryUnreachable",
  },
  {
    runtime: "CRI-O",
    source: 'containers/image: "pinging container registry %s: %w" with a Go dial error',
    message: 'rpc error: code = Unknown desc = pinging container registry registry.example.com: Get "https://registry.example.com/v2/": dial tcp 10.1.2.3:443: i/o timeout',
    expected: "registryUnreachable",
  },
  {
    runtime: "Docker",
    source: "Go net/http client timeout text",
    message: 'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    expected: "registryUnreachable",
  },
  // ---- rate limit
  {
    runtime: "containerd",
    source: "Docker Hub's 429 answer (distribution errcode TOOMANYREQUESTS)",
    message: 'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/redis:7": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/redis/manifests/sha256:0: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.',
    expected: "rateLimited",
  },
  // ---- invalid reference
  {
    runtime: "kubelet",
    source: "pkg/kubelet/images image_manager.go: InvalidImageName with \"Failed to apply default image tag\"",
    reason: "InvalidImageName",
    message: 'Failed to apply default image tag "Busybox:1.36": couldn\'t parse image name "Busybox:1.36": invalid reference format: repository name (library/Busybox) must be lowercase',
    expected: "invalidReference",
  },
];

describe("classifyPullError: runtime messages", () => {
  for (const c of cases) {
    it(`${c.runtime}: ${c.expected} (${c.source})`, () => assert.equal(classifyPullError(c.reason ?? "ErrImagePull", c.message), c.expected));
  }
});
