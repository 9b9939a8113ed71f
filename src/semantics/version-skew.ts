// The kubelet / kube-apiserver version skew policy (https://kubernetes.io/releases/version-skew-policy/):
// the kubelet must not be newer than kube-apiserver, and may be up to three minor versions older
// (kubelets older than 1.25 only up to two).

export interface MinorVersion {
  major: number;
  minor: number;
}

/** major.minor of a gitVersion such as "v1.31.2", "v1.29.4-eks-abcdef" or "1.30+"; undefined when not parseable. */
export function parseMinorVersion(version: string | undefined): MinorVersion | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version?.trim() ?? "");
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export type SkewVerdict = { ok: true } | { ok: false; problem: "newer" | "too-old"; minorsBehind: number; maxBehind: number };

/** Whether a kubelet of this version is supported against this kube-apiserver. */
export function kubeletSkew(kubelet: MinorVersion, apiserver: MinorVersion): SkewVerdict {
  const maxBehind = kubelet.major === 1 && kubelet.minor < 25 ? 2 : 3;
  if (kubelet.major !== apiserver.major) return { ok: false, problem: kubelet.major > apiserver.major ? "newer" : "too-old", minorsBehind: Number.NaN, maxBehind };
  const behind = apiserver.minor - kubelet.minor;
  if (behind < 0) return { ok: false, problem: "newer", minorsBehind: behind, maxBehind };
  if (behind > maxBehind) return { ok: false, problem: "too-old", minorsBehind: behind, maxBehind };
  return { ok: true };
}
