/** A name pattern where `*` matches any run of characters (`/` included) and everything else is literal. */
export function globPattern(pattern: string): RegExp {
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${pattern.split('*').map(literal).join('.*')}$`);
}
