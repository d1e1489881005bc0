/**
 * Athena (Trino) functions that DuckDB lacks or names differently, as DuckDB macros, so a hunt's
 * Athena SQL runs unchanged on the embedded engine. Each macro keeps Trino's argument order and
 * meaning; where DuckDB has the same name with another meaning (cardinality), the macro shadows it.
 */
export const athenaCompatibilityMacros: string[] = [
  'CREATE OR REPLACE MACRO regexp_like(s, pattern) AS regexp_matches(s, pattern)',
  'CREATE OR REPLACE MACRO approx_distinct(x) AS approx_count_distinct(x)',
  // Trino's json_extract_scalar gives NULL for an object or array; DuckDB's json_extract_string gives its text.
  "CREATE OR REPLACE MACRO json_extract_scalar(j, path) AS CASE WHEN json_type(j, path) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, path) END",
  'CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)',
  // A time that does not parse ("redacted", "", an impossible date) is NULL, so one record's value never fails a hunt.
  'CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS TRY_CAST(s AS TIMESTAMPTZ)',
  "CREATE OR REPLACE MACRO url_extract_host(u) AS nullif(regexp_extract(u, '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+)', 1), '')",
  'CREATE OR REPLACE MACRO to_unixtime(t) AS epoch(t)',
  "CREATE OR REPLACE MACRO json_array_contains(j, v) AS list_contains(json_extract_string(j, '$[*]'), CAST(v AS VARCHAR))",
  'CREATE OR REPLACE MACRO cardinality(l) AS len(l)',
  'CREATE OR REPLACE MACRO array_join(l, sep) AS array_to_string(l, sep)',
  'CREATE OR REPLACE MACRO slice(l, start, n) AS list_slice(l, start, start + n - 1)',
  // Trino's from_unixtime gives a UTC timestamp with time zone, as DuckDB's to_timestamp does.
  'CREATE OR REPLACE MACRO from_unixtime(t) AS to_timestamp(t)',
  // Trino's to_iso8601 of a UTC timestamp with time zone (Athena's session zone): milliseconds and 'Z'.
  "CREATE OR REPLACE MACRO to_iso8601(t) AS strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ')",
];
