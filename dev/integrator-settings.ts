import {
  type CallerAuthConfig,
  ConfigError,
  readAllowedRedirectOrigins,
  readCallerAuthConfig,
} from '../functions/shared/config';

type Env = Record<string, string | undefined>;

/** What an integrator points `npm run dev` at: their app's origins and, optionally, their own identity provider. */
export interface IntegratorSettings {
  /** ALLOWED_ORIGINS: CORS, Host and redirect origins for the app under development, e.g. http://localhost:5173. */
  allowedOrigins: string[];
  /** JWT_ISSUER + JWT_AUDIENCE: tokens come from this provider instead of the local issuer. */
  externalAuth?: Extract<CallerAuthConfig, { mode: 'jwt' }>;
  /** JWT_CUSTOMER_CLAIM: the claim (or dot path) the local issuer writes and the API reads. */
  customerClaim: string;
}

/** Read with the functions' own config readers, so a bad value is named as a deployed function would name it. */
export function readIntegratorSettings(env: Env): IntegratorSettings {
  let allowedOrigins: string[];
  try {
    allowedOrigins = readAllowedRedirectOrigins({ ALLOWED_REDIRECT_ORIGINS: env.ALLOWED_ORIGINS });
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError('ALLOWED_ORIGINS', error.message.replace(/^.*?ALLOWED_REDIRECT_ORIGINS /, ''));
    }
    throw error;
  }
  const issuer = env.JWT_ISSUER?.trim();
  const auth = readCallerAuthConfig({
    AUTH_MODE: 'jwt',
    // Without JWT_ISSUER only the claim name is read; the local issuer supplies issuer and audience.
    JWT_ISSUER: issuer || 'http://127.0.0.1',
    JWT_AUDIENCE: issuer ? env.JWT_AUDIENCE : env.JWT_AUDIENCE || 'local',
    JWT_CUSTOMER_CLAIM: env.JWT_CUSTOMER_CLAIM,
  });
  if (auth.mode !== 'jwt') throw new Error('unreachable: AUTH_MODE is jwt');
  return { allowedOrigins, customerClaim: auth.customerClaim, ...(issuer ? { externalAuth: auth } : {}) };
}
