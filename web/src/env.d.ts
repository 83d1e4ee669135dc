/// <reference types="vite/client" />

/** Scalar's prebuilt browser bundle (aliased in web/vite.config.ts); typed by the package's own types. */
declare module 'scalar-api-reference' {
  export const createApiReference: typeof import('@scalar/api-reference').createApiReference;
}
