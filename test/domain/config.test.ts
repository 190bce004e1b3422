import { loadConfig } from '../../config';

describe('configuration at start-up', () => {
  it('when nothing is set, it runs locally with development defaults in Asia/Shanghai', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ env: 'development', port: 3000, defaultTimeZone: 'Asia/Shanghai' });
    expect(c.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'gongzhi' });
  });

  it('when a value is malformed, it fails fast naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ MONGODB_URI: 'postgres://x' })).toThrow(/MONGODB_URI/);
    expect(() => loadConfig({ DEFAULT_TIME_ZONE: 'Mars/Olympus' })).toThrow(/DEFAULT_TIME_ZONE/);
  });

  it('when running in production without a JWT secret, it refuses to start', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toBe('x'.repeat(32));
  });

  it('when the worker cache size is set, it is a whole number ≥ 0, and 2000 when unset', () => {
    expect(loadConfig({}).workerMaxCachedWorkflows).toBe(2000);
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).workerMaxCachedWorkflows).toBe(0);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '-1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '1.5' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });
});
