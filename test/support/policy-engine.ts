// Runs the NetworkPolicy evaluator of the test environment (test/env/netpol: a small main over the
// matcher of github.com/mattfenwick/cyclonus) on policies read from the API server and flows
// between pods and addresses, and returns its verdicts. The engine is not ours: it decides; the
// tests only say which flows to ask about and what the promise is.
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { ensureBinaries } from '../env/build.js';
import { runCaptured } from './kubectl.js';

/** One end of a flow: a pod (namespace, namespace labels, pod labels, IP) or, without a namespace, an address outside the cluster. */
export interface EnginePeer {
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  podLabels?: Record<string, string>;
  ip: string;
}

/** A transport protocol of the NetworkPolicy API. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A flow to judge: from source to destination on a port. */
export interface EngineFlow {
  id: string;
  source: EnginePeer;
  destination: EnginePeer;
  port: number;
  protocol: Protocol;
}

/** The engine's verdict for one direction (egress of the source, ingress of the destination). */
export interface DirectionVerdict {
  allowed: boolean;
  /** Policies (namespace/name) of this direction that select the pod; none means the pod is not isolated in it. */
  selectedBy: string[];
  /** The policies among them whose rules allow the flow. */
  allowedBy: string[];
}

/** The engine's verdict for one flow. */
export interface FlowVerdict {
  id: string;
  allowed: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
  error?: string;
}

/** Everything the engine answered. */
export interface EngineAnswer {
  /** The engine's Go module and its version, from the binary's build information. */
  engine: string;
  version: string;
  results: FlowVerdict[];
}

/** Judges `flows` against `policies` with the engine and returns its verdicts, in the order of the flows. */
export async function judgeFlows(policies: NetworkPolicy[], flows: EngineFlow[]): Promise<EngineAnswer> {
  const bin = (await ensureBinaries()).netpol;
  // Only the fields the engine reads: it refuses unknown ones, so a misspelt field fails loudly.
  const asked = flows.map(({ id, source, destination, port, protocol }) => ({ id, source, destination, port, protocol }));
  const r = await runCaptured(bin, [], JSON.stringify({ policies, flows: asked }));
  if (r.code !== 0) throw new Error(`the policy engine failed (${r.code}): ${r.stderr.trim()}`);
  const answer = JSON.parse(r.stdout) as EngineAnswer;
  if (answer.results.length !== flows.length) throw new Error(`the policy engine judged ${answer.results.length} of ${flows.length} flows`);
  const failed = answer.results.filter((v) => v.error);
  if (failed.length > 0) throw new Error(`the policy engine could not judge ${failed.map((v) => `${v.id}: ${v.error}`).join('; ')}`);
  return answer;
}
