#!/usr/bin/env node
// Lint Cypher files with Neo4j's own linter (@neo4j-cypher/language-support,
// lintCypherQuery): syntax errors and semantic errors (undefined variables, type
// errors, functions or procedures Neo4j 5 does not have) fail; warnings (labels,
// relationship types or properties unknown to an empty database) do not.
//
// Every parameter a query uses is declared: parameters are supplied by the caller, so
// "Parameter $x is not defined" is not an error here. Functions and procedures are
// checked against the Neo4j 5 registry shipped with the package (testData.mockSchema),
// so a FalkorDB-only function is caught even though both backends run the same file.
//
// Usage:  node lint.mjs [FILE.cypher ...]    (default: every ../../queries/*.cypher)
// Output: one JSON object on stdout:
//   {"linter": "<package>@<version>", "files": [{"file", "errors": [...], "warnings": [...]}]}
// Exit status: 0 clean, 1 some file has an error, 2 usage/IO problem.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  lintCypherQuery,
  parseParameters,
  testData,
} from '@neo4j-cypher/language-support';

const here = dirname(fileURLToPath(import.meta.url));
// The package does not export its package.json; read it from node_modules directly.
const pkg = JSON.parse(
  readFileSync(
    join(here, 'node_modules', '@neo4j-cypher', 'language-support', 'package.json'),
    'utf8',
  ),
);

const ERROR = 1;

function filesToLint(argv) {
  if (argv.length > 0) return argv.map((f) => resolve(f));
  const dir = resolve(here, '..', '..', 'queries');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cypher'))
    .sort()
    .map((name) => join(dir, name));
}

function lintFile(file) {
  const text = readFileSync(file, 'utf8');
  const parameters = Object.fromEntries(
    parseParameters(text, false).map((name) => [name, null]),
  );
  const schema = {
    functions: testData.mockSchema.functions,
    procedures: testData.mockSchema.procedures,
    parameters,
  };
  const { diagnostics } = lintCypherQuery(text, schema, {
    consoleCommandsEnabled: false,
  });
  const shape = (d) => ({
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    message: d.message,
  });
  const errors = diagnostics.filter((d) => d.severity === ERROR).map(shape);
  const warnings = diagnostics.filter((d) => d.severity !== ERROR).map(shape);
  if (text.trim().length === 0) {
    errors.push({ line: 1, column: 1, message: 'empty query file' });
  }
  return { file, errors, warnings };
}

let results;
try {
  results = filesToLint(process.argv.slice(2)).map(lintFile);
} catch (err) {
  process.stderr.write(`cypherlint: ${err.message}\n`);
  process.exit(2);
}
process.stdout.write(
  JSON.stringify({ linter: `${pkg.name}@${pkg.version}`, files: results }) + '\n',
);
process.exit(results.some((r) => r.errors.length > 0) ? 1 : 0);
