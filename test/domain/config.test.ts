import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { developmentSecret, loadConfig } from '../../config';

const secretFile = () => join(mkdtempSync(join(tmpdir(), 'gongzhi-secret-')), 'data', 'jwt-secret');

describe('configuration at start-up', () => {
  it('when nothing is set, it runs locally with development defaults in Asia/Shanghai', () => {
    const c = loadConfig({}, { secretFile: secretFile() });
    expect(c).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      defaultTimeZone: 'Asia/Shanghai',
    });
    expect(c.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'gongzhi' });
  });

  it('when a value is malformed, it fails fast naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' }, { secretFile: secretFile() })).toThrow(/PORT/);
    expect(() => loadConfig({ MONGODB_URI: 'postgres://x' })).toThrow(/MONGODB_URI/);
    expect(() => loadConfig({ DEFAULT_TIME_ZONE: 'Mars/Olympus' })).toThrow(/DEFAULT_TIME_ZONE/);
  });

  it('when running in production without a JWT secret, it refuses to start', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toBe('x'.repeat(32));
  });

  it('when the worker cache size is set, it is a whole number ≥ 0, and 2000 when unset', () => {
    expect(loadConfig({}, { secretFile: secretFile() }).workerMaxCachedWorkflows).toBe(2000);
    expect(
      loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' }, { secretFile: secretFile() }).workerMaxCachedWorkflows,
    ).toBe(0);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '-1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '1.5' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it('when development runs without JWT_SECRET, it signs with a random key kept in data/, never a fixed one', () => {
    const file = secretFile();
    const first = loadConfig({}, { secretFile: file }).jwtSecret;
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({}, { secretFile: file }).jwtSecret).toBe(first); // kept across restarts
    expect(loadConfig({}, { secretFile: secretFile() }).jwtSecret).not.toBe(first); // each machine its own
    writeFileSync(file, 'short\n');
    expect(developmentSecret(file)).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(file, 'utf8').trim()).not.toBe('short');
    expect(loadConfig({ JWT_SECRET: 'y'.repeat(32) }, { secretFile: file }).jwtSecret).toBe('y'.repeat(32));
  });

  it('when HOST is set, the API listens there; otherwise on this machine only', () => {
    expect(loadConfig({ HOST: '0.0.0.0' }, { secretFile: secretFile() }).host).toBe('0.0.0.0');
    expect(loadConfig({}, { secretFile: secretFile() }).host).toBe('127.0.0.1');
  });
});
