import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from './http.ts';
import { logger } from './logger.ts';
import { problemResponse, toProblem } from './problem.ts';

/** A handler's answer on a public route. */
export interface PublicResponse {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
}

/**
 * A route served without a login (acknowledgement links, the public board): no claims are
 * read; errors become problem+json exactly as on the other routes.
 */
export function publicHandler(fn: (event: HttpEvent) => Promise<PublicResponse>) {
  return async (event: HttpEvent, _context?: Context): Promise<HttpResult> => {
    try {
      const response = await fn(event);
      const contentType = response.contentType ?? 'application/json';
      return {
        statusCode: response.status,
        headers: { 'content-type': contentType, 'cache-control': 'no-store' },
        body: contentType === 'application/json' ? JSON.stringify(response.body) : String(response.body),
      };
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) logger.error('request failed', { error: error as Error });
      return problemResponse(problem, { 'cache-control': 'no-store' });
    }
  };
}
