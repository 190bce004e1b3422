import express from 'express';
import mongoose from 'mongoose';
import type { Config } from '../config';
import type { TemporalHandle } from '../client';
import { authenticate } from './auth';
import { errorHandler, notFound } from './errors';
import { accountRoutes } from './routes/accounts';
import { compoundRoutes } from './routes/compounds';
import { voiceRoutes } from './routes/voices';
import { meetingRoutes } from './routes/meetings';
import { publicRoutes } from './routes/public';
import { rateRoutes } from './routes/rates';

export interface AppDeps {
  config: Pick<Config, 'jwtSecret' | 'tokenTtlSeconds'>;
  temporal: TemporalHandle;
  log?: (msg: string) => void;
  /** "Now" for the API (intake times, what is due, current periods): the machine's clock unless a test pins it. */
  clock?: () => Date;
}

/** The HTTP app, without listening: tests drive it directly, server.ts binds it to a port. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: '100kb' }));

  app.get('/healthz', async (_req, res) => {
    const db = mongoose.connection.readyState === 1;
    const temporal = await deps.temporal
      .client()
      .then((client) => client.workflowService.getSystemInfo({}))
      .then(
        () => true,
        () => false,
      );
    res.status(db && temporal ? 200 : 503).json({ ok: db && temporal, db, temporal });
  });

  const api = express.Router();
  api.use(authenticate(deps.config.jwtSecret));
  api.use(accountRoutes(deps));
  api.use(compoundRoutes());
  api.use(voiceRoutes(deps));
  api.use(meetingRoutes(deps));
  api.use(publicRoutes());
  api.use(rateRoutes());
  app.use('/api/v1', api);

  app.use(notFound);
  app.use(errorHandler());
  return app;
}
