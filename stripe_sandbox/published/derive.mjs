// Derive stripe_sandbox/published/stripe-api.json from the types Stripe publishes in its Node
// SDK (npm `stripe`, pinned in package.json), for the operations the sandbox serves or the app
// may call, the objects they return and the events about them.
//
//   npm ci && node stripe_sandbox/published/derive.mjs        (or: npm run stripe-schema)
//
// The SDK's .d.ts files are generated from Stripe's OpenAPI spec, so they say what the spec
// says: each parameter and field, whether it is required (`name?:` is optional), whether a
// field may be null (`| null`), enums (unions of string literals; `| OtherString` marks an
// enum Stripe may extend), expandable fields (`string | Customer`), lists (`ApiList<T>`).
// The TypeScript compiler only parses them here; names are resolved by this script.
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PACKAGE = path.join(HERE, '..', '..', 'node_modules', 'stripe');
const ROOT = path.join(PACKAGE, 'cjs');
const OUTPUT = path.join(HERE, 'stripe-api.json');

// The operations kept: what stripe_sandbox/api.py serves, and what the app calls (the webhook
// endpoints are read by `flask stripe check-endpoint`). Path parameters are written `{id}`.
const OPERATIONS = [
  'POST /v1/customers',
  'GET /v1/customers',
  'GET /v1/customers/{id}',
  'POST /v1/checkout/sessions',
  'POST /v1/products',
  'GET /v1/checkout/sessions',
  'GET /v1/checkout/sessions/{id}',
  'POST /v1/checkout/sessions/{id}/expire',
  'POST /v1/subscriptions',
  'GET /v1/subscriptions',
  'GET /v1/subscriptions/{id}',
  'POST /v1/subscriptions/{id}',
  'DELETE /v1/subscriptions/{id}',
  'GET /v1/invoices',
  'GET /v1/invoices/{id}',
  'GET /v1/invoice_payments',
  'GET /v1/invoice_payments/{id}',
  'GET /v1/payment_intents/{id}',
  'GET /v1/charges/{id}',
  'POST /v1/refunds',
  'GET /v1/refunds/{id}',
  'POST /v1/billing_portal/sessions',
  'GET /v1/events',
  'GET /v1/events/{id}',
  'GET /v1/webhook_endpoints',
  'GET /v1/webhook_endpoints/{id}',
  'POST /v1/webhook_endpoints',
  'POST /v1/webhook_endpoints/{id}',
];
// Events kept: those about the objects above.
const EVENT_PREFIXES = [
  'charge.',
  'checkout.session.',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.subscription.',
  'invoice.',
  'invoice_payment.',
  'payment_intent.',
  'payment_method.',
  'price.',
  'product.',
  'refund.',
  'billing_portal.session.',
];

// -- modules and names ----------------------------------------------------------------------

const modules = new Map();

function moduleAt(file) {
  const absolute = path.resolve(file);
  if (modules.has(absolute)) return modules.get(absolute);
  const text = fs.readFileSync(absolute, 'utf8');
  const source = ts.createSourceFile(absolute, text, ts.ScriptTarget.Latest, true);
  const module = {file: absolute, scope: newScope(null, null), source};
  modules.set(absolute, module);
  module.scope.module = module;
  collect(source.statements, module.scope, module, []);
  return module;
}

function newScope(parent, module) {
  return {parent, module, names: new Map()};
}

// An entity: everything declared under one name in one scope (an interface, a namespace of the
// same name, a type alias, a class), or an alias to a name resolved later.
function entity(scope, name, qual) {
  if (!scope.names.has(name)) {
    scope.names.set(name, {
      name,
      qual,
      module: scope.module,
      interfaces: [],
      alias: null,
      isClass: false,
      classNodes: [],
      members: null, // a scope, once a namespace of this name is seen
      parentScope: scope,
      link: null, // () => entity, for imports and re-exports
    });
  }
  return scope.names.get(name);
}

function specifierFile(fromModule, spec) {
  const base = path.resolve(path.dirname(fromModule.file), spec);
  return base.replace(/\.js$/, '.d.ts');
}

function collect(statements, scope, module, qual) {
  for (const node of statements) {
    if (ts.isInterfaceDeclaration(node)) {
      entity(scope, node.name.text, [...qual, node.name.text]).interfaces.push(node);
    } else if (ts.isTypeAliasDeclaration(node)) {
      entity(scope, node.name.text, [...qual, node.name.text]).alias = node;
    } else if (ts.isClassDeclaration(node) && node.name) {
      const found = entity(scope, node.name.text, [...qual, node.name.text]);
      found.isClass = true;
      found.classNodes.push(node);
    } else if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) {
      const found = entity(scope, node.name.text, [...qual, node.name.text]);
      found.members ??= newScope(scope, module);
      collect(node.body.statements, found.members, module, [...qual, node.name.text]);
    } else if (ts.isImportDeclaration(node)) {
      const file = specifierFile(module, node.moduleSpecifier.text);
      const clause = node.importClause;
      if (!clause || !clause.namedBindings) continue;
      if (ts.isNamespaceImport(clause.namedBindings)) {
        const found = entity(scope, clause.namedBindings.name.text, []);
        found.link = () => ({...moduleEntity(file)});
      } else {
        for (const element of clause.namedBindings.elements) {
          const exported = (element.propertyName ?? element.name).text;
          const found = entity(scope, element.name.text, []);
          found.link = () => exportOf(moduleAt(file), exported);
        }
      }
    } else if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause)) {
      for (const element of node.exportClause.elements) {
        const local = (element.propertyName ?? element.name).text;
        const exported = element.name.text;
        if (node.moduleSpecifier) {
          const file = specifierFile(module, node.moduleSpecifier.text);
          if (!scope.names.has(exported)) {
            entity(scope, exported, []).link = () => exportOf(moduleAt(file), local);
          }
        } else if (scope.parent && !scope.names.has(exported)) {
          // `export { Session }` inside a namespace: a name of the enclosing scope.
          const outer = scope.parent;
          entity(scope, exported, []).link = () => lookup(outer, [local]);
        }
      }
    } else if (ts.isImportEqualsDeclaration(node)) {
      // `export import SessionListParams = CheckoutNamespace0.SessionListParams;`
      const parts = entityNameParts(node.moduleReference);
      const outer = scope;
      entity(scope, node.name.text, []).link = () => lookup(outer.parent ?? outer, parts);
    }
  }
}

function moduleEntity(file) {
  const module = moduleAt(file);
  return {
    name: path.basename(file),
    qual: [],
    module,
    interfaces: [],
    alias: null,
    isClass: false,
    classNodes: [],
    members: module.scope,
    link: null,
  };
}

function exportOf(module, name) {
  const found = module.scope.names.get(name);
  if (!found) throw new Error(`${module.file} exports no ${name}`);
  return follow(found);
}

function follow(found) {
  let current = found;
  for (let hops = 0; current && current.link; hops++) {
    if (hops > 20) throw new Error(`alias loop at ${found.name}`);
    current = current.link();
  }
  return current;
}

function entityNameParts(name) {
  if (ts.isIdentifier(name)) return [name.text];
  return [...entityNameParts(name.left), name.right.text];
}

function lookup(scope, parts) {
  let first = null;
  for (let current = scope; current; current = current.parent) {
    if (current.names.has(parts[0])) {
      first = follow(current.names.get(parts[0]));
      break;
    }
  }
  if (!first) return null;
  let found = first;
  for (const part of parts.slice(1)) {
    const members = found.members;
    if (!members || !members.names.has(part)) return null;
    found = follow(members.names.get(part));
  }
  return found;
}

// -- canonical names ----------------------------------------------------------------------

const canonical = new Map(); // entity -> name
const taken = new Map(); // name -> entity

function nameOf(found) {
  if (canonical.has(found)) return canonical.get(found);
  const relative = path.relative(ROOT, found.module.file).replace(/\.d\.ts$/, '');
  const parts = relative.split(path.sep);
  const namespace = parts[0] === 'resources' && parts.length > 2 ? parts.slice(1, -1) : [];
  let qual = found.qual;
  if (namespace.length && qual[0] !== namespace[namespace.length - 1]) qual = [...namespace, ...qual];
  let name = qual.join('.');
  if (taken.has(name) && taken.get(name) !== found) name = `${name}@${relative}`;
  taken.set(name, found);
  canonical.set(found, name);
  return name;
}

// -- types ------------------------------------------------------------------------------------

const definitions = new Map(); // name -> definition (filled lazily)
const queue = [];
const unresolved = new Set();

function refTo(found) {
  const name = nameOf(found);
  if (!definitions.has(name)) {
    definitions.set(name, null);
    queue.push([name, found]);
  }
  return {kind: 'ref', name};
}

function scopeOf(found) {
  // Where names inside a declaration resolve: its own namespace (if any) and outwards.
  return found.members ?? found.parentScope ?? found.module.scope;
}

function scopeForNode(found) {
  // Inside `interface Session` names resolve from the scope that declares Session, where the
  // namespace `Session` (its nested types) is also visible by name.
  return found.parentScope ?? found.module.scope;
}

function union(members) {
  const out = [];
  const values = [];
  let open = false;
  let nullable = false;
  for (const member of members.flatMap((m) => (m.kind === 'union' ? m.of : [m]))) {
    if (member.kind === 'enum') {
      values.push(...member.values);
      open ||= member.open;
    } else if (member.kind === 'otherstring') open = true;
    else if (member.kind === 'null') nullable = true;
    else if (!out.some((o) => JSON.stringify(o) === JSON.stringify(member))) out.push(member);
  }
  if (values.length) out.unshift({kind: 'enum', values: [...new Set(values)], open});
  else if (open) out.unshift({kind: 'string'});
  if (nullable) out.push({kind: 'null'});
  return out.length === 1 ? out[0] : {kind: 'union', of: out};
}

function convert(node, scope) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return {kind: 'string'};
    case ts.SyntaxKind.NumberKeyword:
      return {kind: 'number'};
    case ts.SyntaxKind.BooleanKeyword:
      return {kind: 'boolean'};
    case ts.SyntaxKind.NullKeyword:
      return {kind: 'null'};
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.ObjectKeyword:
    case ts.SyntaxKind.VoidKeyword:
      return {kind: 'any'};
    default:
      break;
  }
  if (ts.isParenthesizedTypeNode(node)) return convert(node.type, scope);
  if (ts.isLiteralTypeNode(node)) {
    const literal = node.literal;
    if (literal.kind === ts.SyntaxKind.NullKeyword) return {kind: 'null'};
    if (ts.isStringLiteral(literal)) return {kind: 'enum', values: [literal.text], open: false};
    if (literal.kind === ts.SyntaxKind.TrueKeyword) return {kind: 'const', value: true};
    if (literal.kind === ts.SyntaxKind.FalseKeyword) return {kind: 'const', value: false};
    if (ts.isNumericLiteral(literal)) return {kind: 'const', value: Number(literal.text)};
  }
  if (ts.isUnionTypeNode(node)) return union(node.types.map((t) => convert(t, scope)));
  if (ts.isArrayTypeNode(node)) return {kind: 'array', items: convert(node.elementType, scope)};
  if (ts.isTypeLiteralNode(node)) return objectOf(node.members, scope, []);
  if (ts.isIntersectionTypeNode(node)) {
    const parts = node.types.map((t) => convert(t, scope));
    const objects = parts.filter((p) => p.kind === 'object');
    if (objects.length === parts.length) {
      return objects.reduce((a, b) => ({...a, fields: {...a.fields, ...b.fields}}));
    }
    return {kind: 'any'};
  }
  if (ts.isTypeReferenceNode(node)) return reference(node, scope);
  unresolved.add(`${ts.SyntaxKind[node.kind]}: ${node.getText()}`);
  return {kind: 'any'};
}

function reference(node, scope) {
  const parts = entityNameParts(node.typeName);
  const last = parts[parts.length - 1];
  const args = (node.typeArguments ?? []).map((t) => convert(t, scope));
  switch (last) {
    case 'Array':
      return {kind: 'array', items: args[0]};
    case 'Promise':
    case 'Response':
      return args[0];
    case 'ApiList':
    case 'ApiListPromise':
      return {kind: 'list', items: args[0]};
    case 'ApiSearchResultPromise':
      return {kind: 'search_result', items: args[0]};
    case 'Emptyable':
      return union([args[0], {kind: 'enum', values: [''], open: false}, {kind: 'null'}]);
    case 'OtherString':
      return {kind: 'otherstring'};
    case 'Decimal':
      return {kind: 'decimal'};
    case 'Partial':
      return {kind: 'any'};
    case 'Record':
      return {kind: 'map', values: args[1]};
    default:
      break;
  }
  const found = lookup(scope, parts);
  if (!found) {
    unresolved.add(parts.join('.'));
    return {kind: 'any'};
  }
  // `Event` is the union of every event type: an event is checked by its own `type`.
  if (found.alias && nameOf(found) === 'Event') return {kind: 'event'};
  if (found.alias) return convert(found.alias.type, scopeForNode(found));
  if (found.interfaces.length) return refTo(found);
  unresolved.add(`${parts.join('.')} (not a type)`);
  return {kind: 'any'};
}

function objectOf(members, scope, heritage) {
  const fields = {};
  let values = null;
  for (const base of heritage) {
    const resolved = convert(base, scope);
    const definition = resolved.kind === 'ref' ? definitionOf(resolved.name) : resolved;
    if (definition && definition.kind === 'object') Object.assign(fields, definition.fields);
  }
  for (const member of members) {
    if (ts.isPropertySignature(member) && member.type) {
      const name = member.name.text ?? member.name.getText();
      fields[name] = {type: convert(member.type, scope), optional: Boolean(member.questionToken)};
    } else if (ts.isIndexSignatureDeclaration(member) && member.type) {
      values = convert(member.type, scope);
    }
  }
  if (values && !Object.keys(fields).length) return {kind: 'map', values};
  return {kind: 'object', fields};
}

function definitionOf(name) {
  if (definitions.get(name) === null) {
    const index = queue.findIndex(([queued]) => queued === name);
    const [, found] = queue.splice(index, 1)[0];
    define(name, found);
  }
  return definitions.get(name);
}

function define(name, found) {
  const scope = scopeForNode(found);
  const members = found.interfaces.flatMap((i) => [...i.members]);
  const heritage = found.interfaces.flatMap((i) =>
    (i.heritageClauses ?? []).flatMap((clause) => [...clause.types]),
  );
  const heritageRefs = heritage.map((expression) =>
    ts.factory.createTypeReferenceNode(
      expressionName(expression.expression),
      expression.typeArguments,
    ),
  );
  // Parent nodes are needed for getText in diagnostics only.
  definitions.set(name, objectOf(members, scope, heritageRefs));
}

function expressionName(expression) {
  if (ts.isIdentifier(expression)) return ts.factory.createIdentifier(expression.text);
  return ts.factory.createQualifiedName(expressionName(expression.expression), expression.name.text);
}

function drain() {
  while (queue.length) {
    const [name, found] = queue.shift();
    define(name, found);
  }
}

// -- operations from the resource classes -----------------------------------------------------

function walk(directory) {
  return fs.readdirSync(directory, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

function operations() {
  const wanted = new Set(OPERATIONS);
  const found = {};
  for (const script of walk(path.join(ROOT, 'resources')).filter((f) => f.endsWith('.js'))) {
    const text = fs.readFileSync(script, 'utf8');
    const classes = [...text.matchAll(/class (\w+) extends StripeResource_js_1\.StripeResource \{/g)];
    for (const [index, match] of classes.entries()) {
      const body = text.slice(match.index, classes[index + 1]?.index ?? text.length);
      const calls = body.matchAll(
        /\n {4}(\w+)\([^)]*\) \{\s*return this\._makeRequest\('(\w+)', (?:'([^']+)'|`([^`]+)`)/g,
      );
      for (const [, method, verb, plain, template] of calls) {
        const route = (plain ?? template).replace(/\$\{encodeURIComponent\(\w+\)\}/g, '{id}');
        const key = `${verb} ${route}`;
        if (!wanted.has(key)) continue;
        const typings = moduleAt(script.replace(/\.js$/, '.d.ts'));
        const resource = typings.scope.names.get(match[1]);
        const signature = resource.classNodes
          .flatMap((c) => [...c.members])
          .find((m) => ts.isMethodDeclaration(m) && m.name.text === method);
        const params = signature.parameters.find((p) => p.name.text === 'params');
        found[key] = {
          sdk_method: `${match[1].replace(/Resource$/, '')}.${method}`,
          params: params ? convert(params.type, typings.scope) : null,
          params_required: params ? !params.questionToken : false,
          returns: convert(signature.type, typings.scope),
        };
      }
    }
  }
  const missing = OPERATIONS.filter((key) => !(key in found));
  if (missing.length) throw new Error(`not in the SDK: ${missing.join(', ')}`);
  return Object.fromEntries(OPERATIONS.map((key) => [key, found[key]]));
}

function events() {
  const typings = moduleAt(path.join(ROOT, 'resources', 'Events.d.ts'));
  const found = {};
  for (const [, item] of typings.scope.names) {
    const node = item.interfaces[0];
    if (!node || !item.members) continue;
    const type = node.members.find((m) => ts.isPropertySignature(m) && m.name.text === 'type');
    if (!type || !ts.isLiteralTypeNode(type.type)) continue;
    const eventType = type.type.literal.text;
    if (!EVENT_PREFIXES.some((prefix) => eventType.startsWith(prefix))) continue;
    const data = item.members.names.get('Data');
    const object = data.interfaces[0].members.find((m) => m.name.text === 'object');
    found[eventType] = convert(object.type, item.members);
  }
  return Object.fromEntries(Object.entries(found).sort());
}

// -- output -----------------------------------------------------------------------------------

function main() {
  const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8'));
  const apiVersion = fs
    .readFileSync(path.join(ROOT, 'apiVersion.js'), 'utf8')
    .match(/ApiVersion = '([^']+)'/)[1];
  const openapi = fs.readFileSync(path.join(PACKAGE, 'OPENAPI_VERSION'), 'utf8').trim();
  const ops = operations();
  const eventObjects = events();
  const eventBase = refTo(follow(moduleAt(path.join(ROOT, 'resources', 'Events.d.ts')).scope.names.get('EventBase')));
  drain();
  if (unresolved.size) {
    throw new Error(`unresolved names:\n  ${[...unresolved].sort().join('\n  ')}`);
  }
  // Objects by their `object` value, for checking whatever the sandbox sends.
  const objects = {};
  for (const [name, definition] of definitions) {
    const tag = definition.fields?.object?.type;
    const deleted = definition.fields?.deleted;
    const isDeleted = deleted && deleted.type.kind === 'const' && !deleted.optional;
    if (tag?.kind === 'enum' && tag.values.length === 1 && definition.fields.id) {
      const key = isDeleted ? `deleted ${tag.values[0]}` : tag.values[0];
      if (key !== 'event') objects[key] ??= name;
    }
  }
  objects.event = eventBase.name;
  const sorted = Object.fromEntries([...definitions].sort(([a], [b]) => a.localeCompare(b)));
  const lines = [
    '{',
    `"source": ${JSON.stringify({
      package: `stripe@${pkg.version} (npm)`,
      licence: `${pkg.license}: LICENSE beside this file`,
      api_version: apiVersion,
      openapi_spec: openapi,
      derived_by: 'stripe_sandbox/published/derive.mjs',
    })},`,
    `"operations": ${JSON.stringify(ops)},`,
    `"event": ${JSON.stringify(eventBase)},`,
    `"events": ${JSON.stringify(eventObjects)},`,
    `"objects": ${JSON.stringify(Object.fromEntries(Object.entries(objects).sort()))},`,
    '"types": {',
    Object.entries(sorted)
      .map(([name, definition]) => `${JSON.stringify(name)}: ${JSON.stringify(definition)}`)
      .join(',\n'),
    '}',
    '}',
    '',
  ];
  const target = process.argv[2] ?? OUTPUT;
  fs.writeFileSync(target, lines.join('\n'));
  fs.copyFileSync(path.join(PACKAGE, 'LICENSE'), path.join(path.dirname(target), 'LICENSE'));
  const size = fs.statSync(target).size;
  console.log(
    `${path.relative(process.cwd(), target)}: ${Object.keys(ops).length} operations, ` +
      `${Object.keys(eventObjects).length} events, ${definitions.size} types, ` +
      `${Math.round(size / 1024)} KiB, from stripe@${pkg.version} (${apiVersion}, ${openapi})`,
  );
}

main();
