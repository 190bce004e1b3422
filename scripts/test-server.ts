/**
 * Starts Temporal's time-skipping test server (our launcher, scripts/test-server/GongzhiTestServer.java)
 * with its clock at `startAt`. The SDK gives a JVM five seconds to listen; on a loaded machine a start
 * can miss that, so a failed start is tried again a few times before it counts as a failure.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';

export async function startTestServer(opts: {
  path: string;
  startAt?: Date;
}): Promise<TestWorkflowEnvironment> {
  let last: unknown;
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: {
          executable: { type: 'existing-path', path: opts.path },
          extraArgs: opts.startAt ? [`--initial-time=${opts.startAt.getTime()}`] : [],
        },
      });
    } catch (err) {
      last = err;
      if (!/did not start within/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
  throw last;
}
