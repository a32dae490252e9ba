/**
 * A fault-injecting HTTP proxy on loopback, put between the AWS SDK (its `endpoint`) and moto.
 *
 * - It recognises the service and operation of every AWS request and counts them
 *   ("iam:CreatePolicy", "ecs:CreateCluster", ...), for call-count assertions and the benchmark.
 * - It adds latency (the benchmark's stand-in for a real network round trip).
 * - It answers chosen requests itself with AWS-shaped errors (throttling, expired token, ...),
 *   HTTP 500/503, a dropped connection or a stalled one, without forwarding them.
 * - It rewrites chosen answers of the JSON services (ECS): the request goes to moto, and its
 *   answer is changed as AWS would have given it (defaults filled in, a deployment rolled back, a
 *   task's stopped reason). test/support/aws-behaviours.ts names these behaviours.
 *
 * Wire protocols of @aws-sdk/client-* 3.1142.0 (checked in their dist-cjs):
 * - IAM, STS: awsQuery  — POST form body `Action=CreateRole&Version=...`; errors are
 *   `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 * - EC2: ec2Query       — same request shape; errors are
 *   `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
 * - ECS, Resource Groups Tagging API: awsJson1_1 — header `x-amz-target: Prefix.Operation`;
 *   errors carry `x-amzn-ErrorType` and a body `{"__type": ..., "message": ...}`.
 * The service name is the SigV4 signing name from the Authorization header's credential scope
 * (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`), i.e. iam, sts, ec2, ecs, tagging.
 *
 * The proxy only ever connects to its `target`, which must be a loopback http:// URL.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

/**
 * `drop` closes the connection before the request is forwarded (the target never sees it);
 * `drop-response` forwards it, lets the target answer, then closes the connection instead of
 * relaying the answer: the request took effect but the client cannot know (a lost reply);
 * `slow-response` forwards it at once and holds the target's answer for `stallMs` before relaying
 * it (the window in which the change is made but the client has not heard of it).
 */
export type FaultKind = 'throttle' | 'http500' | 'http503' | 'drop' | 'drop-response' | 'slow-response' | 'stall' | 'error' | 'rewrite';

export interface FaultRule {
  kind: FaultKind;
  /** Fault every Nth request that matches this rule (counted per rule, from 1). */
  every?: number;
  /**
   * Fault a matching request with this probability, drawn from the proxy's seeded PRNG.
   * With `every` too, both must agree. With neither, every matching request is faulted.
   */
  probability?: number;
  /** Fire at most this many times (then the rule only counts). */
  limit?: number;
  match?: {
    /** Signing name: 'iam' | 'sts' | 'ec2' | 'ecs' | 'tagging'. */
    service?: string;
    /** Exact operation name, or a pattern tested against it. */
    operation?: string | RegExp;
    /** Only operations that are not Describe*, List* or Get*. */
    mutatingOnly?: boolean;
  };
  /** For 'stall': how long the request is held before the connection is dropped (default 60 s); for 'slow-response': how long the answer is held. */
  stallMs?: number;
  /** For 'error' (and to override 'throttle'): the AWS error code, e.g. 'ExpiredToken'. */
  errorCode?: string;
  errorMessage?: string;
  /** HTTP status of 'error' / 'throttle' answers (defaults: 400; 503 for EC2 throttling). */
  httpStatus?: number;
  /**
   * For 'rewrite' (JSON services only): the answer moto gave to the request, as parsed JSON, and
   * the request's own body; returns the answer AWS would give. Only successful answers are given.
   */
  rewrite?: (answer: Record<string, unknown>, request: Record<string, unknown>) => Record<string, unknown>;
}

export interface ProxyCounts {
  /** Every counted request, faulted or not (requests to /moto-api/ are not counted). */
  total: number;
  /** Key `service:Operation`, e.g. 'iam:CreatePolicy', 'ecs:CreateCluster'. */
  byOperation: Record<string, number>;
  /** How many of `total` the proxy answered with a fault instead of forwarding. */
  faulted: number;
  /** Per `service:Operation`, the most requests that were open at the same time. */
  maxInFlight: Record<string, number>;
}

export interface ProxyLogEntry {
  service: string;
  operation: string;
  /** The fault kind applied, if any. */
  fault?: FaultKind;
  /** Date.now() when the request (and its body) arrived. */
  at: number;
  /** The request body, when the proxy was started with `captureBodies`. */
  body?: string;
}

export interface Proxy {
  /** e.g. `http://127.0.0.1:51235`; use it as the SDK `endpoint`. */
  readonly url: string;
  readonly port: number;
  /** Closes the listener and destroys every connection (client side and upstream). */
  stop(): Promise<void>;
  counts(): ProxyCounts;
  /** Zeroes the counts and the log (fault rules keep their own per-rule counters). */
  resetCounts(): void;
  /** Replaces the fault rules; their per-rule counters start again from zero. */
  setFaults(rules: FaultRule[]): void;
  setLatency(ms: number): void;
  log(): ProxyLogEntry[];
}

export interface ProxyOptions {
  /** Where requests are forwarded, e.g. the moto URL. Must be http:// on loopback. */
  target: string;
  /** Added before every counted request is answered or forwarded. */
  latencyMs?: number;
  faults?: FaultRule[];
  /** Seed of the PRNG behind `probability` rules (default 1). */
  seed?: number;
  /** Keep each request's body in the log (e.g. to compare a retried request with the first). */
  captureBodies?: boolean;
}

/** mulberry32: a tiny, fast, deterministic PRNG; good enough to pick which requests to fault. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** x-amz-target prefixes of the JSON-protocol services, to their signing names. */
const TARGET_PREFIX_SERVICE: Record<string, string> = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  ResourceGroupsTaggingAPI_20170126: 'tagging',
};

const QUERY_SERVICES = new Set(['iam', 'sts', 'ec2']);

interface Identified {
  service: string;
  operation: string;
  /** The wire format faults must be answered in. */
  protocol: 'query' | 'ec2' | 'json';
}

/** Works out service, operation and protocol of one request from its headers and body. */
export function identifyRequest(headers: http.IncomingHttpHeaders, url: string, body: Buffer): Identified {
  const auth = String(headers.authorization ?? '');
  const scope = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  let service = scope?.[1];

  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) {
    const dot = target.lastIndexOf('.');
    const prefix = target.slice(0, dot);
    service ??= TARGET_PREFIX_SERVICE[prefix] ?? prefix;
    return { service, operation: target.slice(dot + 1), protocol: 'json' };
  }

  // Query protocols: Action in the form body (POST) or in the query string (GET).
  let action: string | null = null;
  const contentType = String(headers['content-type'] ?? '');
  if (body.length > 0 && contentType.includes('application/x-www-form-urlencoded')) {
    action = new URLSearchParams(body.toString('utf8')).get('Action');
  }
  action ??= new URL(url, 'http://proxy.invalid').searchParams.get('Action');
  service ??= 'unknown';
  if (action) {
    return { service, operation: action, protocol: service === 'ec2' ? 'ec2' : 'query' };
  }
  return {
    service,
    operation: 'unknown',
    protocol: QUERY_SERVICES.has(service) ? (service === 'ec2' ? 'ec2' : 'query') : 'json',
  };
}

const READ_ONLY = /^(Describe|List|Get)/;

function ruleMatches(rule: FaultRule, id: Identified): boolean {
  const m = rule.match;
  if (!m) return true;
  if (m.service !== undefined && m.service !== id.service) return false;
  if (m.operation !== undefined) {
    if (typeof m.operation === 'string') {
      if (m.operation !== id.operation) return false;
    } else {
      m.operation.lastIndex = 0; // a /g or /y pattern keeps state between calls
      if (!m.operation.test(id.operation)) return false;
    }
  }
  if (m.mutatingOnly && READ_ONLY.test(id.operation)) return false;
  return true;
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An AWS error in the wire format the SDK expects for this request's protocol. */
function awsError(id: Identified, code: string, message: string, status: number | undefined): ErrorAnswer {
  const requestId = randomUUID();
  if (id.protocol === 'json') {
    return {
      status: status ?? 400,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': code,
        'x-amzn-requestid': requestId,
      },
      body: JSON.stringify({ __type: code, message }),
    };
  }
  if (id.protocol === 'ec2') {
    return {
      status: status ?? 400,
      headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(code)}</Code>` +
        `<Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  return {
    status: status ?? 400,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse xmlns="https://${id.service}.amazonaws.com/doc/"><Error><Type>Sender</Type>` +
      `<Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function throttleAnswer(id: Identified, rule: FaultRule): ErrorAnswer {
  const message = rule.errorMessage ?? 'Rate exceeded';
  if (id.protocol === 'ec2') {
    return awsError(id, rule.errorCode ?? 'RequestLimitExceeded', message, rule.httpStatus ?? 503);
  }
  if (id.protocol === 'json') {
    return awsError(id, rule.errorCode ?? 'ThrottlingException', message, rule.httpStatus ?? 400);
  }
  return awsError(id, rule.errorCode ?? 'Throttling', message, rule.httpStatus ?? 400);
}

function assertLoopbackTarget(target: URL): void {
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (target.protocol !== 'http:' || !loopback) {
    throw new Error(`proxy target must be an http:// URL on loopback, got ${target.href}`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const target = new URL(opts.target);
  assertLoopbackTarget(target);
  const targetPort = Number(target.port || 80);
  const targetHost = target.hostname.replace(/^\[|\]$/g, '');

  let latencyMs = opts.latencyMs ?? 0;
  let rules: Array<{ rule: FaultRule; seen: number; fired: number }> = [];
  const random = mulberry32(opts.seed ?? 1);
  let counts: ProxyCounts = { total: 0, byOperation: {}, faulted: 0, maxInFlight: {} };
  const inFlight: Record<string, number> = {};
  let entries: ProxyLogEntry[] = [];

  const setFaults = (next: FaultRule[]) => {
    for (const rule of next) {
      if (rule.every !== undefined && (!Number.isInteger(rule.every) || rule.every < 1)) {
        throw new RangeError(`fault rule: every must be a positive integer, got ${rule.every}`);
      }
      if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
        throw new RangeError(`fault rule: probability must be in [0, 1], got ${rule.probability}`);
      }
      if (rule.limit !== undefined && (!Number.isInteger(rule.limit) || rule.limit < 0)) {
        throw new RangeError(`fault rule: limit must be a non-negative integer, got ${rule.limit}`);
      }
    }
    rules = next.map((rule) => ({ rule, seen: 0, fired: 0 }));
  };
  setFaults(opts.faults ?? []);

  /**
   * The fault for this request, if any. Every rule that matches advances its counter (and draws
   * from the PRNG) whether or not an earlier rule already fired, so one rule's schedule does not
   * depend on the others; the first rule that fires wins.
   */
  const pickFault = (id: Identified): FaultRule | undefined => {
    let chosen: FaultRule | undefined;
    for (const entry of rules) {
      if (!ruleMatches(entry.rule, id)) continue;
      entry.seen += 1;
      let fires = true;
      if (entry.rule.every !== undefined) fires = entry.seen % entry.rule.every === 0;
      if (entry.rule.probability !== undefined) {
        const draw = random(); // always draw, so the sequence is stable across rule outcomes
        fires = fires && draw < entry.rule.probability;
      }
      if (entry.rule.limit !== undefined && entry.fired >= entry.rule.limit) fires = false;
      if (fires && !chosen) {
        chosen = entry.rule;
        entry.fired += 1;
      }
    }
    return chosen;
  };

  // Keep-alive to the target: fewer sockets, and the latency we add is the only latency we add.
  const upstreamAgent = new http.Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, dropAnswer = false, holdAnswerMs = 0, rewrite?: FaultRule['rewrite']) => {
    // Only the path and query of the request line are used: an absolute-form URL
    // ("GET http://elsewhere/ HTTP/1.1") cannot steer the proxy anywhere but its target.
    const incoming = new URL(req.url ?? '/', 'http://proxy.invalid');
    const upstream = http.request(
      {
        host: targetHost,
        port: targetPort,
        method: req.method,
        path: incoming.pathname + incoming.search,
        // rawHeaders keeps names, order and duplicates as sent, Host included (SigV4 signs Host).
        headers: req.rawHeaders,
        agent: upstreamAgent,
      },
      (upstreamRes) => {
        if (dropAnswer) {
          // The target has acted on the request; the client never hears of it.
          upstreamRes.resume();
          upstreamRes.on('end', () => req.socket.destroy());
          upstreamRes.on('error', () => req.socket.destroy());
          return;
        }
        if (rewrite && (upstreamRes.statusCode ?? 500) < 300) {
          const chunks: Buffer[] = [];
          upstreamRes.on('data', (c: Buffer) => chunks.push(c));
          upstreamRes.on('error', () => res.destroy());
          upstreamRes.on('end', () => {
            if (stopping || res.destroyed) return;
            let out: string;
            try {
              const request = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
              out = JSON.stringify(rewrite(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>, request));
            } catch (e) {
              res.writeHead(500, { 'content-type': 'text/plain' });
              res.end(`ecsprimer test proxy: rewrite failed: ${(e as Error).message}`);
              return;
            }
            res.writeHead(upstreamRes.statusCode ?? 200, { 'content-type': upstreamRes.headers['content-type'] ?? 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(out) });
            res.end(out);
          });
          return;
        }
        const relay = () => {
          if (stopping || res.destroyed) return;
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, upstreamRes.rawHeaders);
          upstreamRes.pipe(res);
          upstreamRes.on('error', () => res.destroy());
        };
        if (holdAnswerMs > 0) {
          upstreamRes.pause();
          const timer = setTimeout(() => {
            timers.delete(timer);
            relay();
          }, holdAnswerMs);
          timers.add(timer);
        } else relay();
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
      } else {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`ecsprimer test proxy: upstream error: ${err.message}`);
      }
    });
    upstream.end(body);
  };

  const answerFault = (req: http.IncomingMessage, res: http.ServerResponse, id: Identified, rule: FaultRule, body: Buffer) => {
    const send = (answer: ErrorAnswer) => {
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    };
    switch (rule.kind) {
      case 'throttle':
        send(throttleAnswer(id, rule));
        return;
      case 'error':
        send(
          awsError(
            id,
            rule.errorCode ?? 'InternalFailure',
            rule.errorMessage ?? `injected ${rule.errorCode ?? 'InternalFailure'}`,
            rule.httpStatus,
          ),
        );
        return;
      case 'http500':
        send({ status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' });
        return;
      case 'http503':
        send({ status: 503, headers: { 'content-type': 'text/plain' }, body: 'Service Unavailable' });
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'drop-response':
        forward(req, res, body, true);
        return;
      case 'slow-response':
        forward(req, res, body, false, rule.stallMs ?? 60_000);
        return;
      case 'rewrite':
        forward(req, res, body, false, 0, rule.rewrite);
        return;
      case 'stall': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          req.socket.destroy();
        }, rule.stallMs ?? 60_000);
        timers.add(timer);
        return;
      }
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        // moto's own control API passes straight through: not counted, no latency, no faults.
        if ((req.url ?? '').startsWith('/moto-api/')) {
          forward(req, res, body);
          return;
        }
        const id = identifyRequest(req.headers, req.url ?? '/', body);
        const fault = pickFault(id);
        const key = `${id.service}:${id.operation}`;
        counts.total += 1;
        counts.byOperation[key] = (counts.byOperation[key] ?? 0) + 1;
        if (fault) counts.faulted += 1;
        inFlight[key] = (inFlight[key] ?? 0) + 1;
        counts.maxInFlight[key] = Math.max(counts.maxInFlight[key] ?? 0, inFlight[key]);
        res.once('close', () => (inFlight[key] -= 1));
        entries.push({
          service: id.service,
          operation: id.operation,
          ...(fault ? { fault: fault.kind } : {}),
          at: Date.now(),
          ...(opts.captureBodies ? { body: body.toString('utf8') } : {}),
        });

        if (latencyMs > 0) await sleep(latencyMs);
        if (stopping || req.socket.destroyed) return;
        if (fault) answerFault(req, res, id, fault, body);
        else forward(req, res, body);
      })().catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that sent garbage or vanished: just drop its socket.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no listening port');
  const port = address.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (stopping) return;
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      upstreamAgent.destroy();
      await closed;
    },
    counts() {
      return { total: counts.total, byOperation: { ...counts.byOperation }, faulted: counts.faulted, maxInFlight: { ...counts.maxInFlight } };
    },
    resetCounts() {
      counts = { total: 0, byOperation: {}, faulted: 0, maxInFlight: {} };
      entries = [];
    },
    setFaults,
    setLatency(ms: number) {
      latencyMs = ms;
    },
    log() {
      return entries.map((entry) => ({ ...entry }));
    },
  };
}
