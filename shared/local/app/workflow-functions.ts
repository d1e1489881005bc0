import type { Context } from 'aws-lambda';
import * as buildReport from '../../../functions/build-report.js';
import * as checkLogExport from '../../../functions/check-log-export.js';
import * as createTables from '../../../functions/create-tables.js';
import * as fileAccountFailure from '../../../functions/file-account-failure.js';
import * as fileHuntFailure from '../../../functions/file-hunt-failure.js';
import * as inventoryLogs from '../../../functions/inventory-logs.js';
import * as listExportBatch from '../../../functions/list-export-batch.js';
import * as mergeInventory from '../../../functions/merge-inventory.js';
import * as openCase from '../../../functions/open-case.js';
import * as planInventory from '../../../functions/plan-inventory.js';
import * as recordCaseFailure from '../../../functions/record-case-failure.js';
import * as recordExportBatch from '../../../functions/record-export-batch.js';
import * as recordFailedExecution from '../../../functions/record-failed-execution.js';
import * as runHunt from '../../../functions/run-hunt.js';
import * as startLogExport from '../../../functions/start-log-export.js';
import * as traceStory from '../../../functions/trace-story.js';
import * as writeManifest from '../../../functions/write-manifest.js';
import type { CaseAdapterFactory } from '../../ports/case-adapters.js';

type HandlerFactory = (
  adapters: CaseAdapterFactory,
) => (event: unknown, context: Context) => Promise<unknown>;

export interface WorkflowFunction {
  /** The `handler` serverless.yml gives the function, which a test holds this entry to. */
  handler: string;
  createHandler: HandlerFactory;
}

/**
 * The functions the state machine invokes, by their serverless.yml name, with the module that
 * serverless.yml deploys for each: the local runner builds the same handlers over local adapters.
 */
export const workflowFunctions: Record<string, WorkflowFunction> = {
  openCase: { handler: 'functions/open-case.handler', createHandler: openCase.createHandler },
  planInventory: { handler: 'functions/plan-inventory.handler', createHandler: planInventory.createHandler },
  inventoryLogs: { handler: 'functions/inventory-logs.handler', createHandler: inventoryLogs.createHandler },
  fileAccountFailure: {
    handler: 'functions/file-account-failure.handler',
    createHandler: fileAccountFailure.createHandler,
  },
  mergeInventory: {
    handler: 'functions/merge-inventory.handler',
    createHandler: mergeInventory.createHandler,
  },
  listExportBatch: {
    handler: 'functions/list-export-batch.handler',
    createHandler: listExportBatch.createHandler,
  },
  startLogExport: {
    handler: 'functions/start-log-export.handler',
    createHandler: startLogExport.createHandler,
  },
  checkLogExport: {
    handler: 'functions/check-log-export.handler',
    createHandler: checkLogExport.createHandler,
  },
  recordExportBatch: {
    handler: 'functions/record-export-batch.handler',
    createHandler: recordExportBatch.createHandler,
  },
  createTables: { handler: 'functions/create-tables.handler', createHandler: createTables.createHandler },
  runHunt: { handler: 'functions/run-hunt.handler', createHandler: runHunt.createHandler },
  fileHuntFailure: {
    handler: 'functions/file-hunt-failure.handler',
    createHandler: fileHuntFailure.createHandler,
  },
  buildReport: { handler: 'functions/build-report.handler', createHandler: buildReport.createHandler },
  writeManifest: { handler: 'functions/write-manifest.handler', createHandler: writeManifest.createHandler },
  recordCaseFailure: {
    handler: 'functions/record-case-failure.handler',
    createHandler: recordCaseFailure.createHandler,
  },
  traceStory: { handler: 'functions/trace-story.handler', createHandler: traceStory.createHandler },
};

/**
 * The function the EventBridge rule on failed executions invokes, outside the state machine: the
 * local runner calls it where that rule would, with the event the rule would deliver.
 */
export const failedExecutionFunction: WorkflowFunction = {
  handler: 'functions/record-failed-execution.handler',
  createHandler: recordFailedExecution.createHandler,
};
