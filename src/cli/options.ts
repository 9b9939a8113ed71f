// Options shared by commands, and the context a command module registers itself with.
import { Command, Option } from "commander";
import { UsageError } from "./errors.js";
import type { CliIo } from "./io.js";

export interface CommonOptions {
  snapshot?: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  now?: string;
  requestTimeout?: string;
  output: string;
  color?: boolean;
  debug?: boolean;
  progress?: boolean;
}

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option("--snapshot <path>", "read a snapshot (file, directory or archive) instead of the live cluster; repeatable", (v: string, prev: string[] = []) => [...prev, v])
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .option("-n, --namespace <ns>", "only this namespace (live default: all namespaces)")
    .option("-A, --all-namespaces", "all namespaces")
    .option("-l, --selector <selector>", "only pods matching this label selector, e.g. app=web,tier!=db")
    .option("--now <time>", "reference time for ages (RFC 3339); default: the snapshot's capture time")
    .option("--request-timeout <duration>", "live: give up on a single API request after this long, e.g. 5s, 1m (default 30s; seconds if no unit)")
    .option("--progress", "print progress to stderr even when it is not a terminal")
    .option("--no-color", "no ANSI colour (also NO_COLOR=1)")
    .option("--debug", "print stack traces on errors");
}

/** Opt-in reading of etcd's own client endpoint (live only; read-only GETs of /health and /metrics). */
export function addEtcdOptions(cmd: Command): Command {
  const repeat = (v: string, prev: string[] = []): string[] => [...prev, v];
  return cmd
    .option("--etcd-endpoint <url>", "live: also read etcd's /health and /metrics at this client URL (read-only), e.g. https://10.0.0.5:2379; repeatable", repeat)
    .option("--etcd-cacert <file>", "CA bundle to verify an https etcd endpoint (as etcdctl --cacert)")
    .option("--etcd-cert <file>", "client certificate for etcd (as etcdctl --cert)")
    .option("--etcd-key <file>", "client key for etcd (as etcdctl --key)")
    .option("--component-endpoint <name=url>", "live: also read a component's /healthz?verbose (read-only, certificate not verified), NAME kube-scheduler or kube-controller-manager, e.g. kube-scheduler=https://10.0.0.10:10259; repeatable", repeat);
}

export function outputOption(choices: string[], fallback: string): Option {
  return new Option("-o, --output <format>", `output format: ${choices.join(", ")}`).default(fallback).argParser((value: string) => {
    if (!choices.includes(value)) throw new UsageError(`unknown output format "${value}"`, `valid: ${choices.join(", ")}`);
    return value;
  });
}


/** What a command module gets to register itself on the program (see commands/*.ts). */
export interface CommandContext {
  io: CliIo;
  /** Sets the process exit code the command ends with (0, 1 by the --fail-on contract, 2 on error). */
  setExitCode(code: number): void;
  /** Turns on stack traces for errors this command throws. */
  setDebug(debug: boolean): void;
}
