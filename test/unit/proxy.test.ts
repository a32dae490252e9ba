/**
 * The fault-injecting proxy, driven by the real SDK clients against the shared moto server.
 * No timing upper bounds here: only "at least" assertions on added latency.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreatePolicyCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { identifyRequest, mulberry32, startProxy, type FaultRule, type Proxy } from '../support/proxy.js';
import { motoUrlOrSkip } from '../support/e2e.js';

const motoUrl = motoUrlOrSkip();

function clients(endpoint: string, maxAttempts = 1) {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  };
  return {
    iam: new IAMClient(config),
    sts: new STSClient(config),
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
  };
}

/** Settles a promise into its value or its error, for assertions on either. */
async function settle(p: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: any }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

let unique = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${++unique}`;

const policyDocument = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'logs:CreateLogStream', Resource: '*' }],
});

describe('mulberry32', () => {
  it('is deterministic per seed and within [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(mulberry32(8)()).not.toBe(xs[0]);
  });
});

describe('identifyRequest', () => {
  const auth = (service: string) =>
    `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

  it('reads query-protocol Action from the form body and the service from the credential scope', () => {
    const id = identifyRequest(
      { authorization: auth('iam'), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      '/',
      Buffer.from('Action=CreatePolicy&Version=2010-05-08&PolicyName=x'),
    );
    expect(id).toEqual({ service: 'iam', operation: 'CreatePolicy', protocol: 'query' });
    const ec2 = identifyRequest(
      { authorization: auth('ec2'), 'content-type': 'application/x-www-form-urlencoded' },
      '/',
      Buffer.from('Action=DescribeSubnets&Version=2016-11-15'),
    );
    expect(ec2).toEqual({ service: 'ec2', operation: 'DescribeSubnets', protocol: 'ec2' });
  });

  it('reads JSON-protocol operations from x-amz-target', () => {
    expect(
      identifyRequest({ 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster' }, '/', Buffer.from('{}')),
    ).toEqual({ service: 'ecs', operation: 'CreateCluster', protocol: 'json' });
    expect(
      identifyRequest(
        { authorization: auth('tagging'), 'x-amz-target': 'ResourceGroupsTaggingAPI_20170126.GetResources' },
        '/',
        Buffer.from('{}'),
      ),
    ).toEqual({ service: 'tagging', operation: 'GetResources', protocol: 'json' });
  });
});

describe('startProxy target check', () => {
  it('refuses a target that is not http:// on loopback', async () => {
    await expect(startProxy({ target: 'http://example.invalid:4566' })).rejects.toThrow(/loopback/);
    await expect(startProxy({ target: 'https://127.0.0.1:4566' })).rejects.toThrow(/loopback/);
  });
});

describe('proxy forwarding fidelity', () => {
  let echo: http.Server;
  let echoUrl: string;
  let received: Array<{ method?: string; url?: string; rawHeaders: string[]; body: Buffer }> = [];

  beforeEach(async () => {
    received = [];
    echo = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
        res.writeHead(201, { 'x-echo': 'yes', 'content-type': 'text/plain' });
        res.end('echoed');
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoUrl = `http://127.0.0.1:${(echo.address() as net.AddressInfo).port}`;
  });
  afterEach(async () => {
    echo.closeAllConnections();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('forwards body bytes and headers (Host included) exactly, and the answer back', async () => {
    const proxy = await startProxy({ target: echoUrl });
    try {
      const body = Buffer.from([0x41, 0x00, 0xff, 0x42, 0x0a]);
      const answer = await new Promise<{ status?: number; headers: http.IncomingHttpHeaders; text: string }>(
        (resolve, reject) => {
          const req = http.request(
            `${proxy.url}/some/path?Action=Nothing&x=1`,
            {
              method: 'POST',
              headers: [
                'Host', 'signed-host.example:1234',
                'X-Amz-Date', '20250101T000000Z',
                'X-Dup', 'one',
                'X-Dup', 'two',
                'Content-Length', String(body.length),
              ],
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => (text += c));
              res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
            },
          );
          req.on('error', reject);
          req.end(body);
        },
      );
      expect(answer).toMatchObject({ status: 201, text: 'echoed', headers: { 'x-echo': 'yes' } });
      expect(received).toHaveLength(1);
      expect(received[0].method).toBe('POST');
      expect(received[0].url).toBe('/some/path?Action=Nothing&x=1');
      expect(received[0].body.equals(body)).toBe(true);
      const pairs = (raw: string[]) => raw.reduce<string[]>((acc, v, i) => (i % 2 ? [...acc.slice(0, -1), `${acc.at(-1)}: ${v}`] : [...acc, v]), []);
      expect(pairs(received[0].rawHeaders)).toEqual(
        expect.arrayContaining([
          'Host: signed-host.example:1234',
          'X-Amz-Date: 20250101T000000Z',
          'X-Dup: one',
          'X-Dup: two',
        ]),
      );
    } finally {
      await proxy.stop();
    }
  });

  it('never follows an absolute-form request URL elsewhere', async () => {
    const proxy = await startProxy({ target: echoUrl });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(proxy.port, '127.0.0.1');
        let data = '';
        socket.setEncoding('utf8');
        socket.on('data', (c: string) => (data += c));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
        // write, not end: Node's HTTP server drops a connection whose client half-closes early
        socket.write('GET http://elsewhere.invalid/steal?x=1 HTTP/1.1\r\nHost: elsewhere.invalid\r\nConnection: close\r\n\r\n');
      });
      expect(reply).toMatch(/^HTTP\/1\.1 201/);
      expect(received.map((r) => r.url)).toEqual(['/steal?x=1']);
    } finally {
      await proxy.stop();
    }
  });
});

describe.skipIf(!motoUrl)('proxy in front of moto', () => {
  let proxy: Proxy;
  let aws: ReturnType<typeof clients>;

  beforeEach(async () => {
    proxy = await startProxy({ target: motoUrl! });
    aws = clients(proxy.url);
  });
  afterEach(async () => {
    await proxy.stop();
  });

  it('counts the requests of an operation open at the same time', async () => {
    proxy.setFaults([{ kind: 'slow-response', match: { service: 'iam', operation: 'ListRoles' }, stallMs: 100 }]);
    await Promise.all([1, 2, 3].map(() => aws.iam.send(new ListRolesCommand({}))));
    await aws.iam.send(new ListRolesCommand({}));
    expect(proxy.counts().byOperation['iam:ListRoles']).toBe(4);
    expect(proxy.counts().maxInFlight['iam:ListRoles']).toBe(3);
  });

  it('counts operations as service:Operation for IAM, STS, EC2, ECS and tagging', async () => {
    await aws.sts.send(new GetCallerIdentityCommand({}));
    await aws.iam.send(new ListRolesCommand({}));
    await aws.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('count'), PolicyDocument: policyDocument }));
    await aws.ec2.send(new DescribeSubnetsCommand({}));
    await aws.ec2.send(new DescribeSubnetsCommand({}));
    await aws.ecs.send(new CreateClusterCommand({ clusterName: uniqueName('count'), tags: [{ key: 'test', value: 'proxy' }] }));
    // moto answers GetResources with HTTP 500 while any untagged ECS cluster exists (a moto bug,
    // and other test files share this server): only the counting matters here, not the outcome.
    await settle(aws.tagging.send(new GetResourcesCommand({})));

    // moto's own API passes through, uncounted
    const dashboard = await fetch(`${proxy.url}/moto-api/`);
    await dashboard.arrayBuffer();
    expect(dashboard.status).toBe(200);

    expect(proxy.counts()).toEqual({
      total: 7,
      faulted: 0,
      byOperation: {
        'sts:GetCallerIdentity': 1,
        'iam:ListRoles': 1,
        'iam:CreatePolicy': 1,
        'ec2:DescribeSubnets': 2,
        'ecs:CreateCluster': 1,
        'tagging:GetResources': 1,
      },
      // One after the other: never two of an operation open at once.
      maxInFlight: {
        'sts:GetCallerIdentity': 1,
        'iam:ListRoles': 1,
        'iam:CreatePolicy': 1,
        'ec2:DescribeSubnets': 1,
        'ecs:CreateCluster': 1,
        'tagging:GetResources': 1,
      },
    });
    expect(proxy.log().map((e) => `${e.service}:${e.operation}`)).toEqual([
      'sts:GetCallerIdentity',
      'iam:ListRoles',
      'iam:CreatePolicy',
      'ec2:DescribeSubnets',
      'ec2:DescribeSubnets',
      'ecs:CreateCluster',
      'tagging:GetResources',
    ]);

    proxy.resetCounts();
    expect(proxy.counts()).toEqual({ total: 0, faulted: 0, byOperation: {}, maxInFlight: {} });
    expect(proxy.log()).toEqual([]);
  });

  it('adds at least latencyMs to each request', async () => {
    proxy.setLatency(150);
    for (const call of [() => aws.iam.send(new ListRolesCommand({})), () => aws.ecs.send(new ListClustersCommand({}))]) {
      const started = performance.now();
      await call();
      // -1: timer and clock granularity; there is deliberately no upper bound
      expect(performance.now() - started).toBeGreaterThanOrEqual(149);
    }
    const fromOptions = await startProxy({ target: motoUrl!, latencyMs: 100 });
    try {
      const started = performance.now();
      await clients(fromOptions.url).sts.send(new GetCallerIdentityCommand({}));
      expect(performance.now() - started).toBeGreaterThanOrEqual(99);
    } finally {
      await fromOptions.stop();
    }
  });

  describe('throttle answers in each service wire format', () => {
    beforeEach(() => proxy.setFaults([{ kind: 'throttle' }]));

    it('IAM and STS: Throttling (query XML, HTTP 400)', async () => {
      for (const call of [() => aws.iam.send(new ListRolesCommand({})), () => aws.sts.send(new GetCallerIdentityCommand({}))]) {
        const r = await settle(call());
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.name).toBe('Throttling');
          expect(r.error.message).toBe('Rate exceeded');
          expect(r.error.$metadata.httpStatusCode).toBe(400);
        }
      }
    });

    it('ECS and tagging: ThrottlingException (JSON, HTTP 400)', async () => {
      for (const call of [() => aws.ecs.send(new ListClustersCommand({})), () => aws.tagging.send(new GetResourcesCommand({}))]) {
        const r = await settle(call());
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.name).toBe('ThrottlingException');
          expect(r.error.message).toBe('Rate exceeded');
          expect(r.error.$metadata.httpStatusCode).toBe(400);
        }
      }
    });

    it('EC2: RequestLimitExceeded (EC2 XML, HTTP 503)', async () => {
      const r = await settle(aws.ec2.send(new DescribeSubnetsCommand({})));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.name).toBe('RequestLimitExceeded');
        expect(r.error.$metadata.httpStatusCode).toBe(503);
      }
      expect(proxy.counts()).toMatchObject({ total: 1, faulted: 1 });
      expect(proxy.log()).toEqual([
        expect.objectContaining({ service: 'ec2', operation: 'DescribeSubnets', fault: 'throttle' }),
      ]);
    });
  });

  it("'error' answers any code, e.g. ExpiredToken, AccessDenied, InvalidClientTokenId", async () => {
    proxy.setFaults([{ kind: 'error', errorCode: 'ExpiredToken', errorMessage: 'The security token included in the request is expired' }]);
    for (const call of [
      () => aws.iam.send(new ListRolesCommand({})),
      () => aws.sts.send(new GetCallerIdentityCommand({})),
      () => aws.ec2.send(new DescribeSubnetsCommand({})),
      () => aws.ecs.send(new ListClustersCommand({})),
    ]) {
      const r = await settle(call());
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.name).toBe('ExpiredToken');
        expect(r.error.message).toBe('The security token included in the request is expired');
      }
    }

    proxy.setFaults([{ kind: 'error', errorCode: 'InvalidClientTokenId', httpStatus: 403, match: { service: 'sts' } }]);
    const sts = await settle(aws.sts.send(new GetCallerIdentityCommand({})));
    expect(sts.ok).toBe(false);
    if (!sts.ok) {
      expect(sts.error.name).toBe('InvalidClientTokenId');
      expect(sts.error.$metadata.httpStatusCode).toBe(403);
    }
    await aws.iam.send(new ListRolesCommand({})); // other services unaffected

    proxy.setFaults([{ kind: 'error', errorCode: 'AccessDeniedException', httpStatus: 400, match: { service: 'ecs' } }]);
    const ecs = await settle(aws.ecs.send(new ListClustersCommand({})));
    expect(!ecs.ok && ecs.error.name).toBe('AccessDeniedException');
  });

  it('http503 and http500 reach the SDK with their status, and are retried by it', async () => {
    proxy.setFaults([{ kind: 'http503' }]);
    for (const call of [() => aws.iam.send(new ListRolesCommand({})), () => aws.ecs.send(new ListClustersCommand({}))]) {
      const r = await settle(call());
      expect(r.ok).toBe(false);
      // a plain-text body: the SDK raises a deserialization error carrying the status
      if (!r.ok) expect(r.error.$metadata.httpStatusCode).toBe(503);
    }
    proxy.setFaults([{ kind: 'http500' }]);
    const r500 = await settle(aws.ec2.send(new DescribeSubnetsCommand({})));
    expect(!r500.ok && r500.error.$metadata.httpStatusCode).toBe(500);

    // every 2nd request fails: with 2 attempts, the SDK gets through on its retry
    proxy.setFaults([{ kind: 'http503', every: 2 }]);
    proxy.resetCounts();
    await aws.iam.send(new ListRolesCommand({})); // request 1 passes
    const retrying = clients(proxy.url, 2).iam;
    await retrying.send(new ListRolesCommand({})); // request 2 faulted, 3 passes
    expect(proxy.log().map((e) => e.fault ?? 'ok')).toEqual(['ok', 'http503', 'ok']);
  });

  it('drop destroys the connection: a network error without HTTP status', async () => {
    proxy.setFaults([{ kind: 'drop' }]);
    for (const call of [() => aws.iam.send(new ListRolesCommand({})), () => aws.ecs.send(new ListClustersCommand({}))]) {
      const r = await settle(call());
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.$metadata?.httpStatusCode).toBeUndefined();
        // smithy's node-http-handler renames ECONNRESET errors to TimeoutError (to mark them retryable)
        expect(r.error.code).toBe('ECONNRESET');
      }
    }
  });

  it('stall holds the request for stallMs, then drops it', async () => {
    proxy.setFaults([{ kind: 'stall', stallMs: 300 }]);
    const started = performance.now();
    const r = await settle(aws.iam.send(new ListRolesCommand({})));
    expect(performance.now() - started).toBeGreaterThanOrEqual(299);
    expect(!r.ok && r.error.code).toBe('ECONNRESET');
  });

  it('stop() ends a stalled request (default 60 s stall) and closes every socket', async () => {
    proxy.setFaults([{ kind: 'stall' }]);
    const pending = settle(aws.iam.send(new ListRolesCommand({})));
    while (proxy.counts().total === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await proxy.stop();
    const r = await pending;
    expect(r.ok).toBe(false);
    await expect(aws.iam.send(new ListRolesCommand({}))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('every: 3 faults exactly requests 3, 6 and 9', async () => {
    proxy.setFaults([{ kind: 'throttle', every: 3 }]);
    const outcomes: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const r = await settle(aws.ecs.send(new ListClustersCommand({})));
      outcomes.push(r.ok ? 'ok' : r.error.name);
    }
    const faulted = outcomes.flatMap((o, i) => (o === 'ok' ? [] : [i + 1]));
    expect(faulted).toEqual([3, 6, 9]);
    expect(outcomes[2]).toBe('ThrottlingException');
    expect(proxy.log().flatMap((e, i) => (e.fault ? [i + 1] : []))).toEqual([3, 6, 9]);
  });

  it('match narrows a rule by service, operation and mutatingOnly; counters are per rule', async () => {
    proxy.setFaults([
      { kind: 'error', errorCode: 'AccessDenied', match: { service: 'iam', mutatingOnly: true } },
      { kind: 'throttle', every: 2, match: { operation: /^List/ } },
    ]);
    await aws.iam.send(new ListRolesCommand({})); // List #1 passes
    const create = await settle(aws.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('m'), PolicyDocument: policyDocument })));
    expect(!create.ok && create.error.name).toBe('AccessDenied');
    await aws.ec2.send(new DescribeSubnetsCommand({})); // matches neither
    await aws.ecs.send(new CreateClusterCommand({ clusterName: uniqueName('m'), tags: [{ key: 'test', value: 'proxy' }] })); // not iam
    const list2 = await settle(aws.ecs.send(new ListClustersCommand({}))); // List #2 faulted
    expect(!list2.ok && list2.error.name).toBe('ThrottlingException');
    await aws.sts.send(new GetCallerIdentityCommand({})); // read-only, not List*

    expect(proxy.log().map((e) => `${e.service}:${e.operation}:${e.fault ?? 'ok'}`)).toEqual([
      'iam:ListRoles:ok',
      'iam:CreatePolicy:error',
      'ec2:DescribeSubnets:ok',
      'ecs:CreateCluster:ok',
      'ecs:ListClusters:throttle',
      'sts:GetCallerIdentity:ok',
    ]);
    expect(proxy.counts()).toMatchObject({ total: 6, faulted: 2 });
  });

  it('seeded probability is reproducible', async () => {
    async function pattern(seed: number): Promise<string> {
      const p = await startProxy({ target: motoUrl!, seed, faults: [{ kind: 'throttle', probability: 0.5 }] });
      try {
        const c = clients(p.url).ecs;
        let out = '';
        for (let i = 0; i < 20; i++) out += (await settle(c.send(new ListClustersCommand({})))).ok ? '.' : 'x';
        return out;
      } finally {
        await p.stop();
      }
    }
    const first = await pattern(42);
    expect(await pattern(42)).toBe(first);
    expect(first).toContain('x');
    expect(first).toContain('.');
    expect(await pattern(43)).not.toBe(first);
  });

  it('refuses invalid rules', () => {
    expect(() => proxy.setFaults([{ kind: 'drop', every: 0 } as FaultRule])).toThrow(RangeError);
    expect(() => proxy.setFaults([{ kind: 'drop', probability: 2 }])).toThrow(RangeError);
  });
});
