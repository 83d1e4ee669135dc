import { describe, expect, it } from 'vitest';
import { PORT_DEFAULTS, portsFromEnv } from '../local/ports.ts';

describe("npm start's ports", () => {
  it('are the documented defaults when no variable is set', () => {
    expect(portsFromEnv({})).toEqual({
      api: 3000,
      dynamodb: 8000,
      stepfunctions: 8083,
      sns: 3001,
      sqs: 3002,
      ses: 3003,
      voice: 3004,
      smtp: 3025,
    });
  });

  it('are each moved by its own variable, 0 meaning any free port', () => {
    expect(portsFromEnv({ CEPTOAR_SFN_PORT: '9083', CEPTOAR_DYNAMODB_PORT: '0' })).toMatchObject({
      stepfunctions: 9083,
      dynamodb: 0,
      api: 3000,
    });
  });

  it('refuse a value that is not a port, naming the variable', () => {
    expect(() => portsFromEnv({ CEPTOAR_SNS_PORT: 'http://x' })).toThrow(
      /CEPTOAR_SNS_PORT must be a port number/,
    );
    expect(() => portsFromEnv({ PORT: '70000' })).toThrow(/PORT must be a port number/);
  });

  it('have one variable each', () => {
    const variables = Object.values(PORT_DEFAULTS).map((d) => d.variable);
    expect(new Set(variables).size).toBe(variables.length);
  });
});
