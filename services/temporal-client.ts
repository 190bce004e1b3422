import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

/** A Temporal client that connects on first use, so the API can start while Temporal is still coming up. */
export interface TemporalHandle {
  client(): Promise<Client>;
  taskQueue: string;
  close(): Promise<void>;
}

export function createTemporalHandle(temporal: Config['temporal']): TemporalHandle {
  let pending: Promise<Client> | undefined;
  let connection: Connection | undefined;
  return {
    taskQueue: temporal.taskQueue,
    client() {
      pending ??= Connection.connect({ address: temporal.address, connectTimeout: '5s' }).then(
        (c) => {
          connection = c;
          return new Client({ connection: c, namespace: temporal.namespace });
        },
        (err: unknown) => {
          pending = undefined; // try again on the next request
          throw err;
        },
      );
      return pending;
    },
    async close() {
      await connection?.close();
    },
  };
}
