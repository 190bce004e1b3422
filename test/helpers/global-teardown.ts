import type { Running } from '../../scripts/servers';

export default async function globalTeardown(): Promise<void> {
  const running = (globalThis as { __GONGZHI_SERVERS__?: Running[] }).__GONGZHI_SERVERS__ ?? [];
  await Promise.all(running.map((r) => r.stop()));
}
