import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../local/dynamodb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local shared by the whole int run. */
    dynamoEndpoint: string;
  }
}

/**
 * Vitest global setup of the int project: one in-memory DynamoDB Local for the whole run
 * (a JVM start costs ~2 s, far too much per file); tests isolate themselves with unique
 * table names (see freshTable in ./dynamo.ts). Returns the teardown that stops the JVM.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoLocal({ inMemory: true });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
