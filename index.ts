/**
 * K8TRE on Pulumi. `pulumi up` runs this file for the selected stack; what the stack builds
 * follows from its config (`k8tre:kind`, `k8tre:platform`) — see README.md and docs/config.md.
 */
import { runProgram } from "./stacks";

export = runProgram();
