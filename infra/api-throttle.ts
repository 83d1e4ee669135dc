import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as z from '../events/zod.ts';

const limit = z.strictObject({
  rateLimit: z.number().check(z.positive()),
  burstLimit: z.int().check(z.minimum(1)),
});

/**
 * API Gateway's throttling, in requests a second and burst: the `$default` stage as a whole,
 * each write route (POST, PUT) and each public route (no token; the tighter one wins). HTTP APIs
 * count these across every caller: they shield the functions and the table, not one member from
 * another (that is `CEPTOAR_RATE_LIMITS`, in the functions; docs/SECURITY.md, API4).
 */
export const apiThrottleSchema = z.strictObject({
  stage: z._default(limit, { rateLimit: 50, burstLimit: 100 }),
  writeRoute: z._default(limit, { rateLimit: 20, burstLimit: 40 }),
  publicRoute: z._default(limit, { rateLimit: 20, burstLimit: 50 }),
});
export type ApiThrottle = z.output<typeof apiThrottleSchema>;

/** Reads the `apiThrottle` context (JSON; each part optional); throws on anything else, at synthesis. */
export function parseApiThrottle(text: string | undefined): ApiThrottle {
  const parsed = apiThrottleSchema.safeParse(text === undefined ? {} : JSON.parse(text));
  if (!parsed.success) throw new Error(`apiThrottle is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Sets the stage's route throttling for the routes it names; the stage waits for those routes to exist. */
export function throttleRoutes(
  stage: apigwv2.HttpStage,
  routes: readonly { route: apigwv2.HttpRoute; method: string; path: string; public: boolean }[],
  throttle: ApiThrottle,
): void {
  const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
  const settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
  for (const { route, method, path, public: open } of routes) {
    const write = method === 'POST' || method === 'PUT' || method === 'DELETE';
    const chosen = [write ? throttle.writeRoute : null, open ? throttle.publicRoute : null].filter(
      (l): l is ApiThrottle['stage'] => l !== null,
    );
    if (chosen.length === 0) continue;
    settings[`${method} ${path}`] = {
      ThrottlingRateLimit: Math.min(...chosen.map((l) => l.rateLimit)),
      ThrottlingBurstLimit: Math.min(...chosen.map((l) => l.burstLimit)),
    };
    // CloudFormation refuses route settings for a route key that does not exist yet.
    cfnStage.node.addDependency(route);
  }
  cfnStage.routeSettings = settings;
}
