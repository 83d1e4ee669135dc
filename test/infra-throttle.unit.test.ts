import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { type FunctionSpec, functions } from '../functions/manifest.ts';
import { parseApiThrottle } from '../infra/api-throttle.ts';
import { buildApp } from '../infra/app.ts';
import { flatTemplate } from './support/templates.ts';

const RATE_LIMITS = '{"caller":{"perSecond":5,"burst":20},"org":{"perSecond":12,"burst":60}}';
const THROTTLE = {
  stage: { rateLimit: 40, burstLimit: 80 },
  writeRoute: { rateLimit: 15, burstLimit: 30 },
  publicRoute: { rateLimit: 10, burstLimit: 35 },
};

const outdir = mkdtempSync(join(tmpdir(), 'ceptoar-throttle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const { stack } = buildApp({
  bundling: false,
  nag: false,
  outdir,
  context: { rateLimits: RATE_LIMITS, apiThrottle: THROTTLE },
});
const template = Template.fromJSON(flatTemplate(stack));
const specs: readonly FunctionSpec[] = functions;
const [stageId, stage] = Object.entries(template.findResources('AWS::ApiGatewayV2::Stage'))[0] ?? [];
const routeSettings = (stage?.Properties.RouteSettings ?? {}) as Record<string, unknown>;

describe('API Gateway throttling (settings from the context)', () => {
  it('throttles the stage as a whole', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 },
    });
  });

  it('throttles every write route, and public routes tighter still', () => {
    const routes = specs.flatMap((s) => s.routes ?? []);
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const write = route.method !== 'GET';
      if (!write && !route.public) {
        expect(routeSettings[key], key).toBeUndefined();
        continue;
      }
      const limits = [
        ...(write ? [THROTTLE.writeRoute] : []),
        ...(route.public ? [THROTTLE.publicRoute] : []),
      ];
      expect(routeSettings[key], key).toEqual({
        ThrottlingRateLimit: Math.min(...limits.map((l) => l.rateLimit)),
        ThrottlingBurstLimit: Math.min(...limits.map((l) => l.burstLimit)),
      });
    }
    expect(routeSettings['POST /incidents']).toEqual({ ThrottlingRateLimit: 15, ThrottlingBurstLimit: 30 });
    expect(routeSettings['POST /ack/{token}']).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 30 });
  });

  it('creates the stage after the routes its settings name', () => {
    const routeIds = Object.entries(template.findResources('AWS::ApiGatewayV2::Route'))
      .filter(([, r]) => (r.Properties.RouteKey as string) in routeSettings)
      .map(([id]) => id);
    expect(routeIds.length).toBe(Object.keys(routeSettings).length);
    expect(stageId).toBeDefined();
    expect(template.toJSON().Resources[stageId ?? ''].DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('passes the per-caller and per-organisation limits to every HTTP function, and to no other', () => {
    const fns = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { CEPTOAR_FUNCTION: Match.anyValue() } } },
    });
    const byName = new Map(
      Object.values(fns).map((f) => [f.Properties.Environment.Variables.CEPTOAR_FUNCTION as string, f]),
    );
    for (const spec of specs) {
      const vars = byName.get(spec.name)?.Properties.Environment.Variables ?? {};
      expect(vars.CEPTOAR_RATE_LIMITS, spec.name).toBe(spec.trigger === 'http' ? RATE_LIMITS : undefined);
    }
  });
});

describe('the apiThrottle context', () => {
  it('defaults each part it leaves out', () => {
    expect(parseApiThrottle('{"stage":{"rateLimit":5,"burstLimit":10}}')).toEqual({
      stage: { rateLimit: 5, burstLimit: 10 },
      writeRoute: { rateLimit: 20, burstLimit: 40 },
      publicRoute: { rateLimit: 20, burstLimit: 50 },
    });
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() => parseApiThrottle('{"writeRoute":{"rateLimit":0,"burstLimit":10}}')).toThrow(/apiThrottle/);
  });

  it('fails the synthesis on bad per-caller limits', () => {
    expect(() =>
      buildApp({ bundling: false, nag: false, outdir, context: { rateLimits: '{"caller":1}' } }),
    ).toThrow(/CEPTOAR_RATE_LIMITS/);
  });
});
