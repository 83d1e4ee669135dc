import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../local/dynamodb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local shared by the whole run (int, e2e). */
    dynamoEndpoint: string;
  }
}

/**
 * Vitest global setup of the int and e2e projects: one in-memory DynamoDB Local for the whole run
 * (a JVM start costs ~2 s and its warm-up more, far too much per file). It runs without -sharedDb, so
 * it keeps a database per access key: every test stack uses a key of its own (startTestStack), and
 * tests that make their own tables use unique names under one key (freshTable in ./dynamo.ts).
 * Returns the teardown that stops the JVM.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoLocal({ inMemory: true, sharedDb: false });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
