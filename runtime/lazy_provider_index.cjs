"use strict";
/**
 * Node.js side of the fast provider loader (see runtime/provider_loader.py).
 *
 * Why: the JavaScript entry point of a prebuilt cdktf provider, `lib/index.js`, is a list of
 * `exports.<name> = require("./<dir>");` lines, one per resource (2,212 for AWS, 219 MB of code),
 * and the jsii kernel `require`s that entry point when Python loads the provider's assembly. So
 * every synth compiles all of it, ~4-8 s on a 2-core machine, however few resources it uses.
 *
 * How: preloaded with `node --require` (provider_loader.install() adds it to NODE_OPTIONS for
 * the jsii kernel process), this wraps `Module.prototype._compile`. When the file compiled is
 * `node_modules/@cdktf/provider-<name>/lib/index.js` and *every* statement in it is one of the
 * generated shapes above, its source is replaced by one that defines the same exports, in the
 * same order, as getters that `require` the submodule on first access and then become plain
 * values. The kernel finds a type by walking its fully qualified name through the exports
 * (`@cdktf/provider-aws.vpc.Vpc` -> exports.vpc.Vpc), so only the submodules the project uses
 * are ever compiled. This is what jsii's lazy-loading support (aws/jsii#4181) expects of large
 * libraries, and what hashicorp/terraform-cdk#3012 proposed for provider bindings (never
 * released). Any other file, or an index with anything unexpected in it, compiles unchanged.
 *
 * Nothing on disk changes. tests/test_loader.py proves the synthesized output byte-identical to
 * the stock (eager) import, and tests/test_lazy_index.py tests the rewrite on its own.
 *
 * Diagnostics: with FLUXION_LAZY_INDEX_REPORT=<file>, each process that rewrote an index writes
 * {"<package>": {"exports": N, "loaded": M}} to <file>.<pid>.json at exit.
 */
const Module = require("module");
const fs = require("fs");

const INDEX = /[\\/]node_modules[\\/](@cdkt[fn][\\/]provider-[a-z0-9-]+)[\\/]lib[\\/]index\.js$/;
// cdktf's bindings: `exports.vpc = require("./vpc");` CDK Terrain's (TypeScript's `import *`):
// `exports.vpc = __importStar(require("./vpc/index"));` (each submodule is an ES module, for
// which __importStar returns the module itself: the lazy getter requires it the same way).
const REQUIRE = /^exports\.([A-Za-z_$][\w$]*) = require\("(\.\/[a-z0-9-]+)"\);$/;
const REQUIRE_STAR = /^exports\.([A-Za-z_$][\w$]*) = __importStar\(require\("(\.\/[a-z0-9-]+\/index)"\)\);$/;
const VOID = /^exports\.[A-Za-z_$][\w$]*( = exports\.[A-Za-z_$][\w$]*)* = void 0;$/;
const HEADER = [
  /^"use strict";$/,
  /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
  /^\/\*\*$/,
  /^ \*( .*)?$/,
  /^ \*\/$/,
  /^\/\/.*$/,
  /^$/,
];

// TypeScript's helper definitions at the top of CDK Terrain's index (`var __createBinding =`,
// `__setModuleDefault`, `__importStar`): skipped whole, up to the `__esModule` line; the lazy
// index needs none of them.
const HELPERS = /^var __(createBinding|setModuleDefault|importStar) = /;
const ES_MODULE = /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/;

function withoutHelpers(lines) {
  const first = lines.findIndex((line) => HELPERS.test(line));
  const end = lines.findIndex((line) => ES_MODULE.test(line));
  if (first === -1 || end === -1 || first > end) return lines;
  return [...lines.slice(0, first), ...lines.slice(end)];
}

/** The lazy equivalent of an eager generated index, or null when `source` is not one. */
function lazyIndexSource(source) {
  const exportsInOrder = [];
  for (const line of withoutHelpers(source.split(/\r?\n/))) {
    const plain = REQUIRE.exec(line);
    const star = plain ? null : REQUIRE_STAR.exec(line);
    const found = plain || star;
    if (found) {
      exportsInOrder.push([found[1], found[2], star !== null]);
    } else if (!VOID.test(line) && !HEADER.some((shape) => shape.test(line))) {
      return null;
    }
  }
  if (exportsInOrder.length === 0) return null;
  const body = exportsInOrder.map(
    ([name, path, star]) => `lazy(${JSON.stringify(name)}, ${JSON.stringify(path)}${star ? ", true" : ""});`,
  );
  return [
    '"use strict";',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    "function lazy(name, path, star) {",
    "  Object.defineProperty(exports, name, {",
    "    configurable: true,",
    "    enumerable: true,",
    "    get() {",
    "      const value = require(path);",
    "      if (star && !(value && value.__esModule)) {",
    "        throw new Error(`lazy provider index: ${path} is not an ES module (__importStar would wrap it)`);",
    "      }",
    "      Object.defineProperty(exports, name, { configurable: true, enumerable: true, writable: true, value });",
    "      return value;",
    "    },",
    "  });",
    "}",
    ...body,
    "",
  ].join("\n");
}

const rewritten = new Map(); // package name -> module.exports of its rewritten index

function install() {
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileLazyIndex(content, filename, ...rest) {
    const match = INDEX.exec(filename);
    if (match) {
      const lazy = lazyIndexSource(content);
      if (lazy !== null) {
        const result = compile.call(this, lazy, filename, ...rest);
        rewritten.set(match[1].replace(/\\/g, "/"), this.exports);
        return result;
      }
    }
    return compile.call(this, content, filename, ...rest);
  };
  const report = process.env.FLUXION_LAZY_INDEX_REPORT;
  if (report) {
    process.on("exit", () => {
      if (rewritten.size === 0) return;
      const summary = {};
      for (const [name, exported] of rewritten) {
        const names = Object.keys(exported);
        const loaded = names.filter((key) => !Object.getOwnPropertyDescriptor(exported, key).get);
        summary[name] = { exports: names.length, loaded: loaded.length };
      }
      fs.writeFileSync(`${report}.${process.pid}.json`, JSON.stringify(summary));
    });
  }
}

module.exports = { lazyIndexSource };

if (!globalThis[Symbol.for("fluxion.lazyIndex.installed")]) {
  globalThis[Symbol.for("fluxion.lazyIndex.installed")] = true;
  install();
}
