// Small types shared by the modules of the local Step Functions endpoint.

/** A JSON value, as states pass them around. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Debug logger: one message and optional structured details. */
export type SfnLog = (message: string, extra?: object) => void;

/** A Lambda function as the local stack runs it: the event in, the result out. */
export type LocalFunction = (payload: unknown) => Promise<unknown>;

/** Maps a function ARN or name found in a definition to the local function to run. */
export type FunctionResolver = (functionArnOrName: string) => LocalFunction;
