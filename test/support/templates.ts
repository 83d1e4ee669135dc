import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps, NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * A CDK app for a test's own small stack, its cloud assembly in a folder of its own: a `new Stack()` without an
 * app (or an app without `outdir`) makes a new folder in the system's temporary directory that nothing removes.
 * {@link templateOf} removes it once the template is read; {@link disposeApp} where nothing is synthesized.
 */
export function testApp(props: AppProps = {}): App {
  return new App({ ...props, outdir: mkdtempSync(join(tmpdir(), 'ceptoar-test-app-')) });
}

/** Removes a {@link testApp}'s folder. */
export function disposeApp(app: App): void {
  rmSync(app.outdir, { recursive: true, force: true });
}

/** The template of a stack of a {@link testApp}, its app's folder removed afterwards. */
export function templateOf(stack: Stack): TemplateJson {
  try {
    return Template.fromStack(stack).toJSON() as TemplateJson;
  } finally {
    disposeApp(stack.node.root as App);
  }
}

/** A CloudFormation template as JSON (what Template#toJSON gives). */
export interface TemplateJson {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; [key: string]: unknown }>;
  [section: string]: unknown;
}

/**
 * `value` with every `{ Ref: parameter }` replaced by what `parameters` passes for it, and every
 * `{ 'Fn::GetAtt': [stack, 'Outputs.X'] }` by what `outputs` (keyed `stack Outputs.X`) says X is.
 */
function substitute(
  value: unknown,
  parameters: Record<string, unknown>,
  outputs: ReadonlyMap<string, unknown> = new Map(),
): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, parameters, outputs));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]?.[0] === 'Ref') {
    const name = entries[0][1];
    if (typeof name === 'string' && name in parameters) return parameters[name];
  }
  if (entries.length === 1 && entries[0]?.[0] === 'Fn::GetAtt') {
    const [resource, attribute] = entries[0][1] as [string, string];
    const output = outputs.get(`${resource} ${attribute}`);
    if (output !== undefined) return output;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, substitute(v, parameters, outputs)]));
}

/**
 * The stack's template with its nested stacks' resources in it (infra/stack.ts puts the HTTP routes in
 * one), each `{ Ref }` to a parameter the parent passes replaced by the parent's own reference: the
 * template the tests read as if the stack were one. Logical ids must not repeat across the stacks.
 */
export function flatTemplate(stack: Stack): TemplateJson {
  const root = Template.fromStack(stack).toJSON() as TemplateJson;
  const resources = { ...root.Resources };
  // What the stack reads of its nested stacks' outputs (`Fn::GetAtt [stack, Outputs.X]`), as the nested
  // stacks say it: the function ARNs its integrations and permissions name.
  const outputs = new Map<string, unknown>();
  for (const nested of stack.node.findAll().filter(NestedStack.isNestedStack)) {
    const resource = nested.nestedStackResource;
    if (resource === undefined) throw new Error(`${nested.node.path}: no stack resource`);
    const logicalId = stack.resolve(resource.logicalId) as string;
    const parameters = (root.Resources[logicalId]?.Properties.Parameters ?? {}) as Record<string, unknown>;
    const inner = Template.fromStack(nested).toJSON() as TemplateJson;
    for (const [id, r] of Object.entries(inner.Resources)) {
      if (id in resources) throw new Error(`logical id ${id} in ${nested.node.path} and its parent`);
      resources[id] = substitute(r, parameters) as TemplateJson['Resources'][string];
    }
    const innerOutputs = (inner.Outputs ?? {}) as Record<string, { Value: unknown }>;
    for (const [name, output] of Object.entries(innerOutputs))
      outputs.set(`${logicalId} Outputs.${name}`, substitute(output.Value, parameters));
  }
  for (const [id, r] of Object.entries(resources))
    resources[id] = substitute(r, {}, outputs) as TemplateJson['Resources'][string];
  return { ...root, Resources: resources };
}

/** How many resources each stack holds, the root first (CloudFormation allows 500 per stack). */
export function resourceCounts(stack: Stack): { stack: string; resources: number }[] {
  return [stack, ...stack.node.findAll().filter(NestedStack.isNestedStack)].map((s) => ({
    stack: s.node.path,
    resources: Object.keys((Template.fromStack(s).toJSON() as TemplateJson).Resources).length,
  }));
}
