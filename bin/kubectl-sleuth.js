#!/usr/bin/env node
// kubectl plugin entry: `kubectl sleuth ...` runs this file (kubectl finds kubectl-<name> on PATH).
import { main } from "../dist/cli/bin.js";
main();
