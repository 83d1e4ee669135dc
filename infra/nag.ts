import { CfnElement, Names, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag AwsSolutions finding (e.g. `AwsSolutions-IAM5[Resource::*]`) on `scope` and below.
 * The namespaced id lets CDK do the suppressing, so cdk.out/validation-report.json keeps every acknowledged
 * finding with its reason and place, and a test can tell an acknowledgement that no longer matches anything.
 */
export function acknowledgeNagFinding(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${finding}`, reason });
}

/**
 * How cdk-nag writes a resource's `Fn::GetAtt [.., Arn]` inside a finding id, e.g. `<EventsD32975C2.Arn>`,
 * for acknowledgements like `AwsSolutions-IAM5[Resource::<EventsD32975C2.Arn>/index/*]`. Named from a nested
 * stack (`consumer`: the construct whose policy names the ARN), the ARN is the parameter CDK passes it in,
 * `referenceto<the resource's unique id>Arn` (aws-cdk-lib core/lib/private/refs.js, generateUniqueId).
 */
export function nagArnToken(resource: IConstruct, consumer?: IConstruct): string {
  const cfn = resource.node.defaultChild;
  if (!CfnElement.isCfnElement(cfn)) throw new Error(`${resource.node.path} has no CloudFormation resource`);
  const owner = Stack.of(cfn);
  if (consumer === undefined || Stack.of(consumer) === owner) return `<${owner.resolve(cfn.logicalId)}.Arn>`;
  return `<${`referenceto${Names.nodeUniqueId(cfn.node)}Arn`.replace(/[^A-Za-z0-9]/g, '')}>`;
}
