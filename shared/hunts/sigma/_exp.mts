import pkg from 'node-sql-parser';
import { DuckDbQueryEngine } from '../../local/duckdb-query-engine.js';
const { Parser } = pkg;
const p = new Parser();
for (const sql of [
  "SELECT a FROM cloudtrail WHERE lower(a) LIKE ? ESCAPE '!'",
  "SELECT a FROM cloudtrail WHERE lower(a) LIKE 'x' ESCAPE '#'",
  "SELECT a FROM cloudtrail WHERE NOT coalesce(lower(a) LIKE ? ESCAPE '!', false)",
  "SELECT a FROM cloudtrail WHERE a IS NOT NULL",
]) { try { const ast = p.astify(sql, { database: 'trino' }); console.log('ok', sql, JSON.stringify(ast).includes('escape')); } catch (e) { console.log('FAIL', sql, (e as Error).message.slice(0, 200)); } }
const e = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
const r = await e.run("SELECT 'a%b' LIKE ? ESCAPE '!' AS x, 'axb' LIKE ? ESCAPE '!' AS y, 'a!b' LIKE ? ESCAPE '!' AS z, 'a\\b_' LIKE ? ESCAPE '!' AS v", { parameters: ['a!%b', 'a!%b', 'a!!b', 'a\\b!_'] });
console.log(r.rows);
try { await e.run("SELECT 'ab' LIKE ? ESCAPE '!' AS x", { parameters: ['a!b'] }); console.log('lenient'); } catch (err) { console.log((err as Error).message); }
e.close();
