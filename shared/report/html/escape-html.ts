const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text for HTML content and quoted attributes. Every value that came from a log (a user agent, a
 * bucket name, an error message) passes here: an attacker writes into those fields, and a
 * `<script>` in a user agent must render as the text it is.
 */
export function esc(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (ch) => entities[ch] ?? ch);
}
