import type { ContractName } from './contract/schema-validator';
import type { Params } from './form-encoding';
import { decodePathSegment } from './percent-decoding';
import type { StandInStore } from './store';

export interface ApiContext {
  params: Params;
  pathParams: Readonly<Record<string, string>>;
  /** Follows the API key: `sk_live_`/`rk_live_` keys create live-mode objects. */
  livemode: boolean;
  store: StandInStore;
  /** Where this stand-in listens, for URLs it hands out (Checkout `url`). */
  baseUrl: string;
}

/**
 * What a handler did. `effect` says whether state changed (the later "effects vs requests" counts
 * rely on it); `changed` is reported by updates, which are no-ops when every value was already set.
 */
export interface ApiResult {
  status?: number;
  body: object;
  effect: boolean;
  changed?: boolean;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path with `:name` placeholders, e.g. `/v1/customers/:id`. */
  path: string;
  /**
   * What the pinned SDK declares for this endpoint (`contract/sdk-types.ts`): the parameters it takes (an
   * unknown or ill-typed one is Stripe's 400 before the handler runs) and the object it answers.
   */
  contract: { params: ContractName; response: ContractName };
  handle(context: ApiContext): ApiResult;
}

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: ApiRoute;
  pathParams: Record<string, string>;
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly ApiRoute[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path
        .split('/')
        .map((segment) => {
          if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(segment.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return { route, pattern: new RegExp(`^${source}/?$`), names };
    });
  }

  match(method: string, path: string): RouteMatch | undefined {
    for (const { route, pattern, names } of this.compiled) {
      if (route.method !== method) continue;
      const found = pattern.exec(path);
      if (found === null) continue;
      const pathParams: Record<string, string> = {};
      names.forEach((name, index) => {
        pathParams[name] = decodePathSegment(found[index + 1] ?? '');
      });
      return { route, pathParams };
    }
    return undefined;
  }
}
