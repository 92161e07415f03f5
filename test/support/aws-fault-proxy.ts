import { Agent, createServer, request as forward, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AwsFault, type AwsService, faultAnswer, faultsFor, isWrite } from './aws-fault-answers';

export type { AwsFault, AwsService } from './aws-fault-answers';

/** One call the proxy answered with a fault instead of (or, for `lost_answer`, after) the real answer. */
export interface InjectedFault {
  service: AwsService;
  operation: string;
  /** The item key, setup or secret the call was about, when the body names one. */
  subject: string;
  fault: AwsFault;
  /** Epoch milliseconds. */
  at: number;
}

export interface FaultRule {
  /** The operation, as in `X-Amz-Target` after the dot: `UpdateItem`, `SendMessage`, `PutEvents`. */
  operation: string;
  /** Only calls whose JSON body contains all of these texts (a key, part of an update expression). */
  bodyIncludes?: string[];
  fault: AwsFault;
  /** How many matching calls get the fault (default 1). */
  times?: number;
}

export interface AwsFaultProxy {
  service: AwsService;
  endpoint: string;
  /** Every fault answered, oldest first. */
  readonly injected: InjectedFault[];
  /** Calls seen, faulted or not. */
  readonly calls: number;
  /**
   * Answers a share of all calls with faults drawn from this service's list. Each draw is seeded by the
   * seed, the operation, the item or setup the call is about and how many such calls came before, so the
   * same seed faults the same calls however concurrent work interleaves. `names` gives ids that differ
   * from run to run (the Stripe stand-in's are random) a stable name, so the seed replays across runs.
   */
  randomFaults(probability: number, seed: number, names?: ReadonlyMap<string, string>): void;
  /** The next matching calls get exactly this fault, before any random one. */
  add(rule: FaultRule): void;
  /** Stops every fault (random and ruled); returns when, in epoch milliseconds. */
  stop(): number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of one AWS stand-in (dynalite, local-aws-sqs, the EventBridge or Secrets Manager
 * stand-in) that answers a share of the functions' calls with the errors AWS really returns, in AWS's wire
 * format, so the SDK's own error parsing and retries run exactly as against AWS. `lost_answer` forwards a
 * write, lets the stand-in apply it, and answers 500 anyway: the write happened but its writer never heard.
 */
export async function startAwsFaultProxy(service: AwsService, target: string): Promise<AwsFaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const injected: InjectedFault[] = [];
  const rules: (FaultRule & { left: number })[] = [];
  let random: { probability: number; seed: number; names?: ReadonlyMap<string, string> } | undefined;
  const seen = new Map<string, number>();
  let calls = 0;

  const chooseFault = (operation: string, body: string): AwsFault | undefined => {
    const rule = rules.find(
      (candidate) =>
        candidate.left > 0 &&
        candidate.operation === operation &&
        (candidate.bodyIncludes ?? []).every((text) => body.includes(text)),
    );
    if (rule) {
      rule.left--;
      return rule.fault;
    }
    if (!random) return undefined;
    const subject = `${operation}|${stableSubject(subjectOf(body), random.names)}`;
    const nth = (seen.get(subject) ?? 0) + 1;
    seen.set(subject, nth);
    const draw = seededRandom(hashOf(`${random.seed}|${service}|${subject}|${nth}`));
    if (draw() >= random.probability) return undefined;
    const menu = faultsFor(service, operation);
    return menu[Math.floor(draw() * menu.length)];
  };

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      calls++;
      const body = Buffer.concat(chunks);
      const operation = operationOf(incoming.headers);
      const text = body.toString('utf8');
      const fault = chooseFault(operation, text);
      if (fault) injected.push({ service, operation, subject: subjectOf(text), fault, at: Date.now() });
      if (fault && fault !== 'lost_answer') {
        const answer = faultAnswer(service, fault);
        outgoing.writeHead(answer.status, answer.headers);
        outgoing.end(answer.body);
        return;
      }
      const proxied = forward(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
          agent,
        },
        (response) => {
          if (fault === 'lost_answer') {
            // The stand-in has applied the call; its answer is dropped on the floor.
            response.resume();
            response.on('end', () => {
              const answer = faultAnswer(service, 'internal');
              outgoing.writeHead(answer.status, answer.headers);
              outgoing.end(answer.body);
            });
            return;
          }
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      proxied.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      proxied.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    service,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    get calls() {
      return calls;
    },
    randomFaults(probability, seed, names) {
      random = { probability, seed, ...(names ? { names } : {}) };
    },
    add(rule) {
      if (rule.fault === 'lost_answer' && !isWrite(service, rule.operation))
        throw new Error(`${rule.operation} is not a write: it has no answer worth losing`);
      rules.push({ ...rule, left: rule.times ?? 1 });
    },
    stop() {
      random = undefined;
      rules.length = 0;
      return Date.now();
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a call is about: a DynamoDB item key, the setup a message or event names, a secret. */
const SUBJECT = /(setup_intent|customer_default|subscription_default|rate)#[\w#]+|seti_\w+|secret:[\w-]+/;

function subjectOf(body: string): string {
  return SUBJECT.exec(body)?.[0] ?? '';
}

function stableSubject(subject: string, names: ReadonlyMap<string, string> | undefined): string {
  return names ? subject.replace(/(seti|cus|sub)_\w+/g, (id) => names.get(id) ?? id) : subject;
}

/** FNV-1a: a stable 32-bit hash to seed each draw. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** JSON protocols name the operation in `X-Amz-Target`: `DynamoDB_20120810.UpdateItem`, `AmazonSQS.SendMessage`. */
function operationOf(headers: IncomingHttpHeaders): string {
  const target = String(headers['x-amz-target'] ?? '');
  return target.split('.').pop() ?? target;
}

/**
 * A small seeded generator (mulberry32): the same seed gives the same fault sequence for the same calls,
 * so a failing run is replayed with its printed seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
