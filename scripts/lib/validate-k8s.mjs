// Validates Kubernetes objects against the schemas of the npm packages kubernetes-models and
// @kubernetes-models/keda. Usage: node validate-k8s.mjs MODULES_PREFIX LABEL < rendered.yaml
// MODULES_PREFIX is the folder those packages (and `yaml`) were installed into with npm --prefix.
// Prints one line per object; exits 1 if any object is invalid or of a kind it does not know.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const [prefix, label = 'stdin'] = process.argv.slice(2);
if (!prefix) {
  console.error('usage: node validate-k8s.mjs MODULES_PREFIX [LABEL] < objects.yaml');
  process.exit(2);
}
const require = createRequire(join(prefix, 'package.json'));
const YAML = require('yaml');

// apiVersion -> the module holding its classes. Core ("v1") and built-in groups come from
// kubernetes-models; KEDA's from @kubernetes-models/keda. Anything else is refused, not skipped.
function moduleFor(apiVersion) {
  if (apiVersion === 'v1') return 'kubernetes-models/v1';
  const [group, version] = apiVersion.split('/');
  if (!group || !version) return null;
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}`;
  if (!group.includes('.') || group.endsWith('.k8s.io')) return `kubernetes-models/${group}/${version}`;
  return null;
}

function modelFor(apiVersion, kind) {
  const name = moduleFor(String(apiVersion));
  if (!name) return null;
  let mod;
  try {
    mod = require(name);
  } catch {
    return null;
  }
  const Model = mod[kind];
  return typeof Model === 'function' && typeof Model.prototype?.validate === 'function' ? Model : null;
}

const docs = YAML.parseAllDocuments(readFileSync(0, 'utf8'));
let failed = 0;
let count = 0;
for (const doc of docs) {
  if (doc.errors.length) {
    console.log(`FAIL ${label}: YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    failed++;
    continue;
  }
  const obj = doc.toJS();
  if (obj == null) continue;
  count++;
  const id = `${obj.apiVersion}/${obj.kind} ${obj.metadata?.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata?.name}`;
  // kustomize v5 folds long base64 values of a Secret's data over several lines; the API server's
  // base64 decoder skips line breaks, the schema's "byte" format does not: join them first.
  if (obj.kind === 'Secret' && obj.data && typeof obj.data === 'object') {
    for (const key of Object.keys(obj.data)) {
      if (typeof obj.data[key] === 'string') obj.data[key] = obj.data[key].replace(/[\r\n]/g, '');
    }
  }
  const Model = modelFor(obj.apiVersion, obj.kind);
  if (!Model) {
    console.log(`FAIL ${label}: ${id}: no schema known for this apiVersion and kind`);
    failed++;
    continue;
  }
  try {
    new Model(obj).validate();
    console.log(`ok   ${label}: ${id}`);
  } catch (e) {
    const details = Array.isArray(e?.errors)
      ? e.errors.map((x) => `${x.instancePath || '/'} ${x.message}${x.params?.additionalProperty ? ` (${x.params.additionalProperty})` : ''}`).join('; ')
      : e?.message ?? String(e);
    console.log(`FAIL ${label}: ${id}: ${details}`);
    failed++;
  }
}
if (count === 0) {
  console.log(`FAIL ${label}: no objects`);
  failed++;
}
console.log(`${label}: ${count - Math.min(failed, count)} valid, ${failed} invalid`);
process.exit(failed ? 1 : 0);
