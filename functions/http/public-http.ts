import type { Context } from 'aws-lambda';
import { logger } from '../runtime/logger.ts';
import type { HttpEvent, HttpResult } from './http.ts';
import { type Problem, problemHeaders, problemResponse, toProblem } from './problem.ts';

/** A handler's answer on a public route. */
export interface PublicResponse {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** True when the caller is a browser (it asks for HTML), not an API client. */
export const wantsHtml = (accept: string | undefined) => (accept ?? '').includes('text/html');

/** For routes people open in a browser: how to show an error to a caller that asks for HTML. */
export interface PublicOptions {
  readonly errorPage?: (problem: Problem) => { html: string; headers?: Readonly<Record<string, string>> };
}

/**
 * A route served without a login (acknowledgement links, the public board): no claims are
 * read; errors become problem+json exactly as on the other routes.
 */
export function publicHandler(
  fn: (event: HttpEvent) => Promise<PublicResponse>,
  options: PublicOptions = {},
) {
  return async (event: HttpEvent, _context?: Context): Promise<HttpResult> => {
    try {
      const response = await fn(event);
      const contentType = response.contentType ?? 'application/json';
      return {
        statusCode: response.status,
        headers: { ...response.headers, 'content-type': contentType, 'cache-control': 'no-store' },
        body: contentType === 'application/json' ? JSON.stringify(response.body) : String(response.body),
      };
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) logger.error('request failed', { error: error as Error });
      if (options.errorPage && wantsHtml(event.headers?.accept)) {
        const page = options.errorPage(problem);
        return {
          statusCode: problem.status,
          headers: {
            ...page.headers,
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
          },
          body: page.html,
        };
      }
      return problemResponse(problem, { ...problemHeaders(error), 'cache-control': 'no-store' });
    }
  };
}
