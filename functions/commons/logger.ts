import { Logger } from '@aws-lambda-powertools/logger';

/** The one structured logger; the service name tags every line. */
export const logger = new Logger({ serviceName: 'ceptoar-relay' });
