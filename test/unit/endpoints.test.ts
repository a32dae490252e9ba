/**
 * Where each service's requests go (src/aws/endpoints.ts), in the SDK's and the AWS CLI's order:
 * --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's services section,
 * the profile's endpoint_url. The config file is a real file read by the SDK's parser.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFileEndpoints, environmentEndpoints, envEndpointName } from '../../src/aws/endpoints.js';
import { resolveSettings } from '../../src/aws/settings.js';
import { UsageError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ecsprimer-endpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function configFile(text: string): string {
  const file = join(dir, `config-${n++}`);
  writeFileSync(file, text);
  return file;
}

describe('the environment', () => {
  it('names each service as the SDK does', () => {
    expect(envEndpointName('ecs')).toBe('AWS_ENDPOINT_URL_ECS');
    expect(envEndpointName('tagging')).toBe('AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API');
  });

  it("a service's own variable wins over AWS_ENDPOINT_URL, which serves the others", () => {
    const e = environmentEndpoints({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_ECS: 'http://localhost:4566/' }, false);
    expect(e.ecs).toEqual({ url: 'http://localhost:4566', source: 'AWS_ENDPOINT_URL_ECS' });
    expect(e.iam).toEqual({ url: 'http://127.0.0.1:5000', source: 'AWS_ENDPOINT_URL' });
    expect(e.tagging?.source).toBe('AWS_ENDPOINT_URL');
  });

  it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores them all', () => {
    expect(environmentEndpoints({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:1', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'TRUE' }, false)).toEqual({});
  });

  it('plain http off loopback is refused, naming the variable', () => {
    expect(() => environmentEndpoints({ AWS_ENDPOINT_URL_EC2: 'http://ec2.example.com' }, false)).toThrow(/^AWS_ENDPOINT_URL_EC2: plain http to ec2\.example\.com/);
    expect(environmentEndpoints({ AWS_ENDPOINT_URL_EC2: 'http://ec2.example.com' }, true).ec2?.url).toBe('http://ec2.example.com');
  });

  it('--endpoint-url overrides every variable, as in the AWS CLI', () => {
    const s = resolveSettings({ region: 'us-east-1', endpointUrl: 'http://127.0.0.1:9' }, { AWS_ENDPOINT_URL_ECS: 'http://ecs.example.com', AWS_CONFIG_FILE: '/nonexistent' });
    expect(s.endpoint).toBe('http://127.0.0.1:9');
    expect(s.envEndpoints).toEqual({});
    expect(resolveSettings({ region: 'us-east-1' }, { AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:7', AWS_CONFIG_FILE: '/nonexistent' }).envEndpoints.ecs?.url).toBe('http://127.0.0.1:7');
  });
});

describe('the config file', () => {
  const file = configFile(
    [
      '[profile dev]',
      'region = eu-west-1',
      'services = local',
      'endpoint_url = http://127.0.0.1:5000',
      '',
      '[services local]',
      'ecs =',
      '  endpoint_url = http://127.0.0.1:4566',
      'resource_groups_tagging_api =',
      '  endpoint_url = http://127.0.0.1:4567',
      '',
      '[profile plain]',
      'endpoint_url = http://localhost:5001',
      '',
      '[profile ignoring]',
      'endpoint_url = http://localhost:5001',
      'ignore_configured_endpoint_urls = true',
      '',
      '[profile broken]',
      'services = missing',
      '',
      '[profile remote]',
      'endpoint_url = http://moto.example.com:5000',
      '',
    ].join('\n'),
  );
  const env = { AWS_CONFIG_FILE: file };

  it("the profile's services section gives a service its own endpoint; endpoint_url serves the others", async () => {
    const e = await configFileEndpoints(env, 'dev', false);
    expect(e.ecs?.url).toBe('http://127.0.0.1:4566');
    expect(e.ecs?.source).toContain('[services local]');
    expect(e.tagging?.url).toBe('http://127.0.0.1:4567');
    expect(e.iam?.url).toBe('http://127.0.0.1:5000');
    expect(e.sts?.source).toBe(`endpoint_url of profile dev in ${file}`);
  });

  it('a profile with endpoint_url only; one that ignores configured endpoints; one with none', async () => {
    expect((await configFileEndpoints(env, 'plain', false)).ec2?.url).toBe('http://localhost:5001');
    expect(await configFileEndpoints(env, 'ignoring', false)).toEqual({});
    expect(await configFileEndpoints(env, 'nobody', false)).toEqual({});
    expect(await configFileEndpoints({ ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, 'dev', false)).toEqual({});
  });

  it('a services section that does not exist is an error naming the profile and the file, as in the SDK', async () => {
    const e = await configFileEndpoints(env, 'broken', false).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe(`The profile broken in ${file} names the services section "missing", which is not in the file. Add [services missing] or remove "services" from the profile.`);
  });

  it('plain http off loopback from the config file is refused too', async () => {
    await expect(configFileEndpoints(env, 'remote', false)).rejects.toThrow(/endpoint_url of profile remote .*: plain http to moto\.example\.com/);
  });

  it("the region comes from the profile when the environment has none (the SDK's chain)", () => {
    expect(resolveSettings({ profile: 'dev' }, env).region).toBe('eu-west-1');
    expect(resolveSettings({ profile: 'dev' }, { ...env, AWS_REGION: 'us-west-2' }).region).toBe('us-west-2');
  });
});
