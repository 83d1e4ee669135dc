/**
 * Checks of a STIX 2.1 bundle against the rules of the OASIS STIX 2.1 specification
 * (sections 2 and 3 on common properties, 4 on SDOs, 7 on markings and extensions), written
 * from the text: what a CSIRT's importer (MISP, OpenCTI) relies on. Returns one message per
 * violation, naming the object.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const IDENTIFIER = new RegExp(`^([a-z0-9-]+)--(${UUID})$`);
// §3.2: timestamps are RFC 3339 in UTC with `Z`; created and modified to the millisecond at least.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TIMESTAMP_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,}Z$/;
const TYPE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const PROPERTY_NAME = /^[a-z0-9_]+$/;
const EXTENSION_TYPES = [
  'new-sdo',
  'new-sco',
  'new-sro',
  'property-extension',
  'toplevel-property-extension',
];

/** Properties each object type must carry (§4 per SDO, §7.2 marking definitions). */
const REQUIRED: Record<string, readonly string[]> = {
  incident: ['type', 'spec_version', 'id', 'created', 'modified', 'name'],
  identity: ['type', 'spec_version', 'id', 'created', 'modified', 'name'],
  report: ['type', 'spec_version', 'id', 'created', 'modified', 'name', 'published', 'object_refs'],
  'marking-definition': ['type', 'spec_version', 'id', 'created'],
};

/** The incident core extension's required properties (OASIS cti-stix-common-objects). */
const INCIDENT_CORE = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';

type Obj = Record<string, unknown>;

/** Every violation of the rules in the bundle; empty when it conforms. */
export function stixViolations(bundle: Obj): string[] {
  const errors: string[] = [];
  if (bundle.type !== 'bundle') errors.push('bundle: type must be "bundle"');
  if (typeof bundle.id !== 'string' || !IDENTIFIER.test(bundle.id) || !bundle.id.startsWith('bundle--'))
    errors.push(`bundle: id ${String(bundle.id)} is not bundle--<uuid>`);
  if ('spec_version' in bundle) errors.push('bundle: a 2.1 bundle carries no spec_version');
  const objects = bundle.objects;
  if (!Array.isArray(objects) || objects.length === 0) {
    errors.push('bundle: objects must be a non-empty list');
    return errors;
  }
  const byId = new Map<string, Obj>();
  for (const o of objects as Obj[]) {
    const id = String(o.id);
    if (byId.has(id)) errors.push(`${id}: appears twice`);
    byId.set(id, o);
  }
  for (const o of objects as Obj[]) {
    const id = String(o.id);
    const type = String(o.type);
    const where = `${id}`;
    if (!TYPE_NAME.test(type) || type.length < 3 || type.length > 250)
      errors.push(`${where}: type ${type} is not a valid type name`);
    const match = IDENTIFIER.exec(id);
    if (!match || match[1] !== type) errors.push(`${where}: id is not ${type}--<uuid>`);
    if (o.spec_version !== '2.1') errors.push(`${where}: spec_version must be "2.1"`);
    for (const p of REQUIRED[type] ?? ['type', 'spec_version', 'id', 'created', 'modified'])
      if (o[p] === undefined) errors.push(`${where}: required property ${p} is missing`);
    for (const name of Object.keys(o))
      if (!PROPERTY_NAME.test(name) || name.length > 250)
        errors.push(`${where}: property name ${name} is not allowed`);
    for (const p of ['created', 'modified']) {
      const v = o[p];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !TIMESTAMP.test(v) || Number.isNaN(Date.parse(v)))
        errors.push(`${where}: ${p} ${String(v)} is not a STIX timestamp`);
      else if (!TIMESTAMP_MS.test(v)) errors.push(`${where}: ${p} must be precise to the millisecond`);
    }
    if (typeof o.created === 'string' && typeof o.modified === 'string' && o.modified < o.created)
      errors.push(`${where}: modified is before created`);
    if (type === 'marking-definition') {
      if ('modified' in o) errors.push(`${where}: a marking definition has no modified`);
      if (o.extensions === undefined && (o.definition_type === undefined || o.definition === undefined))
        errors.push(`${where}: a marking definition without extensions needs definition_type and definition`);
    }
    if (o.created_by_ref !== undefined) {
      const ref = byId.get(String(o.created_by_ref));
      if (ref?.type !== 'identity')
        errors.push(`${where}: created_by_ref does not resolve to an identity in the bundle`);
    }
    if (o.object_marking_refs !== undefined) {
      if (!Array.isArray(o.object_marking_refs) || o.object_marking_refs.length === 0)
        errors.push(`${where}: object_marking_refs must be a non-empty list`);
      for (const ref of (o.object_marking_refs as unknown[]) ?? []) {
        const m = byId.get(String(ref));
        if (m?.type !== 'marking-definition')
          errors.push(`${where}: marking ${String(ref)} does not resolve in the bundle`);
      }
    }
    if (o.labels !== undefined && (!Array.isArray(o.labels) || o.labels.some((l) => typeof l !== 'string')))
      errors.push(`${where}: labels must be a list of strings`);
    if (o.extensions !== undefined) {
      for (const [key, value] of Object.entries(o.extensions as Obj)) {
        const ext = value as Obj;
        if (key.startsWith('extension-definition--')) {
          if (!IDENTIFIER.test(key))
            errors.push(`${where}: extension key ${key} is not extension-definition--<uuid>`);
          if (!EXTENSION_TYPES.includes(String(ext.extension_type)))
            errors.push(`${where}: extension ${key} has no valid extension_type`);
        } else if (!/^[a-z0-9-]+-ext$/.test(key)) {
          errors.push(`${where}: extension key ${key} is neither predefined nor an extension definition`);
        }
        if (key === INCIDENT_CORE) {
          if (type !== 'incident') errors.push(`${where}: the incident core extension is on a ${type}`);
          for (const p of ['determination', 'investigation_status'])
            if (typeof ext[p] !== 'string') errors.push(`${where}: incident core extension needs ${p}`);
        }
      }
    }
  }
  return errors;
}
