// c2pa-verify.mjs: the independent C2PA verifier for Miaobi's interop
// tests (label/c2pa and label, through package mediatest). It reads a
// file with c2pa-rs, through @contentauth/c2pa-node 0.5.5, and prints one
// JSON line:
//
//   {"state": "Trusted"|"Valid"|"Invalid"|"NoManifest",
//    "failure": [codes], "informational": [codes], "success": [codes],
//    "actions": [{"action", "digitalSourceType"}], "manifests": n,
//    "ingredientDeltas": [...], "title": "..."}
//
// Usage: node c2pa-verify.mjs <node_modules dir> <file> <mime type> [trust anchor PEM]
// With an anchor, trust is verified against it (user_anchors); without,
// a valid file reads "Valid" with signingCredential.untrusted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [, , modules, path, mimeType, anchor] = process.argv;
if (!modules || !path || !mimeType) {
  console.error('usage: node c2pa-verify.mjs <node_modules dir> <file> <mime type> [anchor.pem]');
  process.exit(2);
}
const { Reader } = await import(pathToFileURL(join(modules, '@contentauth/c2pa-node/dist/index.js')).href);
const settings = anchor
  ? { trust: { user_anchors: readFileSync(anchor, 'utf8') }, verify: { verify_trust: true } }
  : undefined;
let reader;
try {
  reader = await Reader.fromAsset({ path, mimeType }, settings);
} catch (e) {
  console.log(JSON.stringify({ state: 'Error', error: String(e && e.message || e) }));
  process.exit(0);
}
if (!reader) {
  console.log(JSON.stringify({ state: 'NoManifest' }));
  process.exit(0);
}
const s = reader.json();
const codes = (list) => (list || []).map((x) => x.code);
const am = s.validation_results?.activeManifest || {};
const active = s.manifests?.[s.active_manifest] || {};
const actions = [];
for (const a of active.assertions || []) {
  if (a.label === 'c2pa.actions' || a.label === 'c2pa.actions.v2') {
    for (const x of a.data?.actions || []) actions.push({ action: x.action, digitalSourceType: x.digitalSourceType });
  }
}
console.log(JSON.stringify({
  state: s.validation_state,
  failure: codes(am.failure),
  informational: codes(am.informational),
  success: codes(am.success),
  status: codes(s.validation_status),
  ingredientDeltas: s.validation_results?.ingredientDeltas || [],
  actions,
  title: active.title,
  ingredients: (active.ingredients || []).length,
  manifests: Object.keys(s.manifests || {}).length,
}));
