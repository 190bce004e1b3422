/** What the app is built from; its own module so route files can name it without importing the app. */
import type { Config } from '../config';
import type { OneTimeCodeSender } from '../services/one-time-codes';
import type { TemporalHandle } from '../services/temporal-client';

/** Where the web app is served, when the config names none (development). */
export const DEFAULT_PUBLIC_BASE_URL = 'http://localhost:3000';

export interface AppDeps {
  /** `publicBaseUrl`: the web app's address, for links printed outside it (the buildings' QR codes). */
  config: Pick<Config, 'jwtSecret' | 'tokenTtlSeconds'> & Partial<Pick<Config, 'publicBaseUrl'>>;
  temporal: TemporalHandle;
  log?: (msg: string) => void;
  /** "Now" for the API (intake times, what is due, current periods): the machine's clock unless a test pins it. */
  clock?: () => Date;
  /** Check every JSON answer against the API document (tests; default: when NODE_ENV is test). */
  checkResponses?: boolean;
  /** Limits per user and address (default on; test suites, one client playing many people, turn them off). */
  rateLimits?: boolean;
  /** Where registration codes go (development prints them; production: the SMS gateway). None: 503. */
  oneTimeCodes?: OneTimeCodeSender;
}
