import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The files `npm pack` puts in the tarball, as the registry and `npm install -g` would get them. */
const packed: string[] =
  (
    JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: root,
        encoding: 'utf8',
      }),
    ) as {
      files: { path: string }[];
    }[]
  )[0]?.files.map((f) => f.path) ?? [];

/** Every module the CLI loads from its bin, following relative imports; type-only imports load nothing. */
function runtimeModules(entry: string) {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [resolve(root, entry)];
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm),
      ...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ].map((m) => m[1] ?? '');
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        pending.push(existsSync(target) ? target : target.replace(/\.js$/, '.ts'));
      } else if (!specifier.startsWith('node:')) {
        packages.add(
          specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] ?? ''),
        );
      }
    }
  }
  return { files: [...files].map((f) => relative(root, f)), packages: [...packages].sort() };
}

describe('the npm package of the CLI', () => {
  const cli = runtimeModules(manifest.bin.casefile ?? '');

  it('declares as dependencies every package the CLI loads at run time', () => {
    expect(cli.packages).toEqual(
      expect.arrayContaining(['@duckdb/node-api', 'aws-local-stepfunctions', 'tsx', 'yaml']),
    );
    for (const name of cli.packages) expect(Object.keys(manifest.dependencies), name).toContain(name);
  });

  it('ships every file the CLI loads, the state machine and the hunt library', () => {
    expect(packed).toEqual(expect.arrayContaining(cli.files));
    expect(packed).toContain('statemachines/investigation.asl.yaml');
    expect(packed.filter((f) => /^shared\/hunts\/library\/.+\.yaml$/.test(f)).length).toBeGreaterThan(100);
  });

  it('ships no tests, benchmarks, fixtures or build output', () => {
    expect(
      packed.filter((f) => /^(test|bench|node_modules|\.serverless|\.esbuild|cases|\.demo)\//.test(f)),
    ).toEqual([]);
  });
});
