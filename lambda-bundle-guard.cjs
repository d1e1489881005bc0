'use strict';

const path = require('node:path');

/** Packages only the local runner uses: native DuckDB, the embedded Step Functions engine, tsx. */
const LOCAL_ONLY_PACKAGE = /^(@duckdb\/|aws-local-stepfunctions(\/|$)|tsx(\/|$))/;
const LOCAL_ONLY_FOLDER = `${path.join(__dirname, 'shared', 'local')}${path.sep}`;

/**
 * An esbuild plugin (serverless.yml `custom.esbuild.plugins`) that fails the Lambda build when a
 * handler reaches local-only code, rather than shipping DuckDB or the local runner to AWS.
 */
module.exports = [
  {
    name: 'casefile-lambda-bundle-guard',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const target = args.path.startsWith('.') ? path.resolve(args.resolveDir, args.path) : args.path;
        if (LOCAL_ONLY_PACKAGE.test(args.path) || target.startsWith(LOCAL_ONLY_FOLDER)) {
          return {
            errors: [
              {
                text: `${args.path} is local-only and must not be bundled into a Lambda (imported by ${args.importer}).`,
              },
            ],
          };
        }
        return undefined;
      });
    },
  },
];
