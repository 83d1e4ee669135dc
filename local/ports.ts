import { createServer } from 'node:net';

/** The local stand-ins that listen on a port of their own. */
export type LocalService = 'api' | 'dynamodb' | 'stepfunctions' | 'sns' | 'sqs' | 'ses' | 'voice' | 'smtp';

/** Ports by service; 0 picks a free one (what tests and the bench use, so parallel stacks never collide). */
export type LocalPorts = Readonly<Record<LocalService, number>>;

/**
 * `npm start`'s ports, each with the environment variable that overrides it. DynamoDB Local's
 * and Step Functions Local's own defaults where they have one, so commands copied from AWS's
 * documentation work; the rest follow the API's 3000.
 */
export const PORT_DEFAULTS: Readonly<
  Record<LocalService, { readonly port: number; readonly variable: string }>
> = {
  api: { port: 3000, variable: 'PORT' },
  dynamodb: { port: 8000, variable: 'CEPTOAR_DYNAMODB_PORT' },
  stepfunctions: { port: 8083, variable: 'CEPTOAR_SFN_PORT' },
  sns: { port: 3001, variable: 'CEPTOAR_SNS_PORT' },
  sqs: { port: 3002, variable: 'CEPTOAR_SQS_PORT' },
  ses: { port: 3003, variable: 'CEPTOAR_SES_PORT' },
  voice: { port: 3004, variable: 'CEPTOAR_VOICE_PORT' },
  smtp: { port: 3025, variable: 'CEPTOAR_SMTP_PORT' },
};

const SERVICES = Object.keys(PORT_DEFAULTS) as LocalService[];

/** Every service on a free port picked at start. */
export const EPHEMERAL_PORTS: LocalPorts = Object.fromEntries(SERVICES.map((s) => [s, 0])) as LocalPorts;

/** `npm start`'s ports: the defaults, each overridden by its variable when set (0 = a free one). */
export function portsFromEnv(env: NodeJS.ProcessEnv): LocalPorts {
  return Object.fromEntries(
    SERVICES.map((service) => {
      const { port, variable } = PORT_DEFAULTS[service];
      const raw = env[variable];
      if (raw === undefined || raw === '') return [service, port];
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 0 || value > 65535)
        throw new Error(`${variable} must be a port number (0 for any free one), got ${raw}`);
      return [service, value];
    }),
  ) as LocalPorts;
}

/** A port another process holds, named by the variable that moves it. */
export class PortInUseError extends Error {
  constructor(
    readonly service: LocalService,
    readonly port: number,
  ) {
    const { variable } = PORT_DEFAULTS[service];
    super(
      `port ${port} (${service}) is already in use on 127.0.0.1: stop what holds it, or set ${variable} to another port (0 picks a free one)`,
    );
    this.name = 'PortInUseError';
  }
}

/** Throws {@link PortInUseError} for the first fixed port (not 0) that is taken; checked before anything starts. */
export async function assertPortsFree(ports: Partial<LocalPorts>, host = '127.0.0.1'): Promise<void> {
  const fixed = Object.entries(ports).filter(([, port]) => port !== undefined && port !== 0) as [
    LocalService,
    number,
  ][];
  const seen = new Map<number, LocalService>();
  for (const [service, port] of fixed) {
    const other = seen.get(port);
    if (other) {
      throw new Error(
        `${PORT_DEFAULTS[other].variable} and ${PORT_DEFAULTS[service].variable} both ask for port ${port}`,
      );
    }
    seen.set(port, service);
    if (!(await isPortFree(port, host))) throw new PortInUseError(service, port);
  }
}

/** True when nothing listens on `port` of `host` (default 127.0.0.1). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
