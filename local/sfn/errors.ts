// Errors the endpoint answers with. The SDK maps `__type` to its exception classes
// (TaskTimedOut, InvalidToken, ...), so the names must be the service's own.

/** Error names of the Step Functions API that this endpoint can answer with. */
export type SfnErrorName =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException';

/** A client error of the Step Functions API: sent as HTTP 400 `{"__type": name, "message": ...}`. */
export class SfnServiceError extends Error {
  constructor(
    readonly type: SfnErrorName,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}
