import express from 'express';
import helmet from 'helmet';
import mongoose from 'mongoose';
import swaggerUi from 'swagger-ui-express';
import { accountRoutes } from './accounts/routes';
import type { AppDeps } from './deps';
import { authenticate } from './auth';
import { compoundRoutes } from './compounds/routes';
import { apiKeyRoutes } from './api-keys/routes';
import { echoWallRoutes } from './echo-wall/routes';
import { errorHandler, notFound } from './errors';
import { evaluationRoutes } from './evaluations/routes';
import { ledgerRoutes } from './ledger/routes';
import { meetingRoutes } from './meetings/routes';
import { openApiDocument } from './openapi';
import { open311Router } from './open311/router';
import { open311Routes } from './open311/routes';
import { orderRoutes } from './orders/routes';
import { peopleRoutes } from './people/routes';
import { auditRoutes } from './audit/routes';
import { membershipRoutes } from './memberships/routes';
import { registrationRoutes } from './registrations/routes';
import { placeRoutes } from './places/routes';
import { partyMemberRoutes } from './party-members/routes';
import { rateRoutes } from './rates/routes';
import { sheetRoutes } from './sheets/routes';
import { methodNotAllowed, mount, type RouteDef } from './route-table';
import { voiceRoutes } from './voices/routes';

export type { AppDeps } from './deps';

/** Every route of the API, by matter: the one table the router, the checks and the document read. */
export function routeTable(deps: AppDeps): RouteDef[] {
  return [
    ...accountRoutes(deps),
    ...compoundRoutes(),
    ...voiceRoutes(deps),
    ...echoWallRoutes(deps),
    ...meetingRoutes(deps),
    ...orderRoutes(deps),
    ...ledgerRoutes(),
    ...evaluationRoutes(),
    ...rateRoutes(),
    ...apiKeyRoutes(deps),
    ...placeRoutes(),
    ...peopleRoutes(),
    ...auditRoutes(),
    ...registrationRoutes(deps),
    ...membershipRoutes(deps),
    ...partyMemberRoutes(deps),
    ...sheetRoutes(),
  ];
}

/** Where the open intake for outside systems (Open311 GeoReport v2) is mounted. */
export const OPEN311_BASE = '/api/open311/v2';

/** The HTTP app, without listening: tests drive it directly, server.ts binds it to a port. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Behind the reverse proxy (deploy/Caddyfile): the client's address is the one it forwards.
  app.set('trust proxy', 'loopback, uniquelocal');
  // JSON answers and Swagger UI only: a strict policy, never framed, never sniffed.
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'none'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'none'"],
        },
      },
    }),
  );
  const mountOptions = {
    checkResponses: deps.checkResponses ?? process.env.NODE_ENV === 'test',
    rateLimits: deps.rateLimits,
    log: deps.log,
  };
  // Before the API's JSON parser: the open intake parses forms too, and refuses in Open311's shape.
  const intake = open311Routes(deps);
  app.use(OPEN311_BASE, open311Router(intake, mountOptions));
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

  const routes = routeTable(deps);
  const document = openApiDocument(routes, '/api/v1', [{ base: OPEN311_BASE, routes: intake }]);
  const api = express.Router();
  api.use(authenticate(deps.config.jwtSecret));
  api.get('/openapi.json', (_req, res) => void res.json(document));
  mount(api, routes, mountOptions);
  methodNotAllowed(api, routes);
  app.use('/api/v1', api);
  // Swagger UI from the package's own files (no CDN); its page needs its scripts and styles.
  app.use(
    '/api/docs',
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          frameAncestors: ["'none'"],
        },
      },
    }),
    swaggerUi.serve,
    swaggerUi.setup(document, { customSiteTitle: '共治 API 文档' }),
  );

  app.use(notFound);
  app.use(errorHandler());
  return app;
}
