// Validates Kubernetes manifests against the API's published schemas, with no cluster:
//
//   node k8s-schema/validate.mjs k8s        (after npm ci --prefix k8s-schema)
//
// Every document of every *.yaml file under the folder is read as Kubernetes reads YAML
// (YAML 1.1, duplicate keys refused) and checked with the JSON schema of its apiVersion and
// kind: the Kubernetes 1.33 OpenAPI schemas packaged by kubernetes-models, and the Prometheus
// Operator's CRD schemas packaged by @kubernetes-models/prometheus-operator. The schemas give
// types, formats (int32, int-or-string, quantities), enums, patterns and required fields. They
// do not refuse unknown fields (the Java tests do, with fabric8's model); see docs/deploying.md.
//
// Kustomization and Component files are skipped (the Java tests read them strictly). A file a
// kustomization lists under `patches` is a partial object: it is checked for everything but
// required fields. A kind with no packaged schema fails, except those in NO_PACKAGED_SCHEMA.
//
// Prints one line per document, then a summary; exits 1 if any document fails, 2 on bad usage.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

/** Kinds no package of the kept registries holds a schema for; the Java tests mirror their specs. */
const NO_PACKAGED_SCHEMA = new Set(["rabbitmq.com/v1beta1 RabbitmqCluster"]);

/** Where the model class of an apiVersion's group lives. */
const PACKAGES = [
  { groups: /^monitoring\.coreos\.com\//, module: (apiVersion, kind) => `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}` },
  { groups: /^(v1|[a-z0-9.-]+\/v[0-9a-z]+)$/, module: (apiVersion, kind) => `kubernetes-models/${apiVersion}/${kind}` },
];

function yamlFiles(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

function parse(file) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1", uniqueKeys: true, prettyErrors: true });
  return (Array.isArray(docs) ? docs : [docs]).map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join("; "));
    // Through JSON, as the API server receives it (a YAML 1.1 timestamp becomes a string).
    const value = doc.toJS({ maxAliasCount: 100 });
    return value === null || value === undefined ? null : JSON.parse(JSON.stringify(value));
  });
}

/** Files the kustomizations under root apply as patches (partial objects). */
function patchFiles(files) {
  const patches = new Set();
  for (const file of files.filter((f) => /(^|\/)kustomization\.ya?ml$/.test(f))) {
    const [kustomization] = parse(file);
    const listed = [...(kustomization?.patches ?? []).map((p) => p?.path), ...(kustomization?.patchesStrategicMerge ?? [])];
    for (const path of listed.filter((p) => typeof p === "string")) patches.add(resolve(dirname(file), path));
  }
  return patches;
}

async function modelFor(apiVersion, kind) {
  for (const { groups, module } of PACKAGES) {
    if (!groups.test(apiVersion)) continue;
    try {
      const loaded = await import(module(apiVersion, kind));
      if (loaded[kind]?.prototype?.validate) return loaded[kind];
    } catch (e) {
      if (e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED" && e.code !== "ERR_MODULE_NOT_FOUND") throw e;
    }
  }
  return null;
}

function schemaErrors(Model, doc, partial) {
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    return e.errors
      .filter((err) => !(partial && err.keyword === "required"))
      .map((err) => `${err.instancePath || "/"} ${err.message}${err.params?.allowedValues ? ` (${err.params.allowedValues.join(", ")})` : ""}`);
  }
}

async function main() {
  const [root] = process.argv.slice(2);
  if (!root) {
    console.error("usage: node validate.mjs DIR");
    return 2;
  }
  const files = yamlFiles(root);
  const patches = patchFiles(files);
  const counts = { valid: 0, invalid: 0, noSchema: 0 };
  for (const file of files) {
    const shown = relative(process.cwd(), file);
    let docs;
    try {
      docs = parse(file);
    } catch (e) {
      console.log(`FAIL ${shown}: not valid YAML: ${e.message}`);
      counts.invalid++;
      continue;
    }
    for (const [index, doc] of docs.entries()) {
      if (doc === null) continue;
      const where = docs.length > 1 ? `${shown}#${index}` : shown;
      const { apiVersion, kind } = doc;
      const name = doc.metadata?.name ?? "(no name)";
      if (typeof apiVersion !== "string" || typeof kind !== "string") {
        console.log(`FAIL ${where}: no apiVersion or kind`);
        counts.invalid++;
        continue;
      }
      if (apiVersion.startsWith("kustomize.config.k8s.io/")) continue;
      const id = `${apiVersion} ${kind}`;
      const partial = patches.has(resolve(file));
      const Model = await modelFor(apiVersion, kind);
      if (!Model) {
        if (NO_PACKAGED_SCHEMA.has(id)) {
          console.log(`NOSCHEMA ${where}: ${id} ${name} (no packaged schema for this kind)`);
          counts.noSchema++;
        } else {
          console.log(`FAIL ${where}: ${id} ${name}: no schema for this apiVersion and kind`);
          counts.invalid++;
        }
        continue;
      }
      const errors = schemaErrors(Model, doc, partial);
      if (errors.length) {
        console.log(`FAIL ${where}: ${id} ${name}${partial ? " (patch)" : ""}:\n  ${errors.join("\n  ")}`);
        counts.invalid++;
      } else {
        console.log(`OK ${where}: ${id} ${name}${partial ? " (patch: required fields not checked)" : ""}`);
        counts.valid++;
      }
    }
  }
  console.log(`k8s-schema: ${counts.valid} documents valid, ${counts.invalid} invalid, ${counts.noSchema} of a kind with no packaged schema`);
  return counts.invalid ? 1 : 0;
}

process.exitCode = await main();
