import { InvalidHuntError } from '../../errors.js';
import { allOf, anyOf, not, type Predicate } from './sql-predicate.js';

/**
 * Sigma's condition language without aggregations: `and`, `or`, `not`, parentheses and the
 * quantifiers `1 of` / `all of` over a name pattern or `them`. Precedence, tightest first:
 * not, and, or.
 */
export function compileCondition(condition: string, selections: ReadonlyMap<string, Predicate>): Predicate {
  if (condition.includes('|')) {
    throw new InvalidHuntError(
      `the condition '${condition}' aggregates with '|' (count, min, max, ...): not supported`,
    );
  }
  const parser = new ConditionParser(tokenize(condition), selections, condition);
  return parser.parse();
}

const TOKEN = /\s*(\(|\)|[^\s()]+)/y;

function tokenize(condition: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(condition); match; match = TOKEN.exec(condition)) {
    if (match[1]) tokens.push(match[1]);
  }
  return tokens;
}

const SELECTION_PATTERN = /^[A-Za-z0-9_*]+$/;

class ConditionParser {
  private position = 0;

  constructor(
    private readonly tokens: string[],
    private readonly selections: ReadonlyMap<string, Predicate>,
    private readonly text: string,
  ) {}

  parse(): Predicate {
    if (this.tokens.length === 0) throw this.problem('is empty');
    const predicate = this.or();
    const rest = this.peek();
    if (rest !== undefined) throw this.problem(`has '${rest}' where an operator or the end was expected`);
    return predicate;
  }

  private or(): Predicate {
    const items = [this.and()];
    while (this.accept('or')) items.push(this.and());
    return anyOf(items);
  }

  private and(): Predicate {
    const items = [this.not()];
    while (this.accept('and')) items.push(this.not());
    return allOf(items);
  }

  private not(): Predicate {
    if (this.accept('not')) return not(this.not());
    return this.primary();
  }

  private primary(): Predicate {
    const token = this.next();
    if (token === undefined) throw this.problem('ends where a selection was expected');
    if (token === '(') {
      const inner = this.or();
      if (!this.accept(')')) throw this.problem("misses a ')'");
      return inner;
    }
    const word = token.toLowerCase();
    if (word === 'near') throw this.problem("uses 'near', which needs event correlation: not supported");
    if (this.peek()?.toLowerCase() === 'of') {
      this.position++;
      return this.quantified(word);
    }
    if (['and', 'or', 'not', 'of', ')'].includes(word)) {
      throw this.problem(`has '${token}' where a selection was expected`);
    }
    const selection = this.selections.get(token);
    if (!selection) throw this.problem(`names '${token}', which the detection does not define`);
    return selection;
  }

  private quantified(quantifier: string): Predicate {
    if (quantifier !== '1' && quantifier !== 'all') {
      throw this.problem(`uses '${quantifier} of': only '1 of' and 'all of' are supported`);
    }
    const target = this.next();
    if (target === undefined) throw this.problem(`ends after '${quantifier} of'`);
    const names = this.matching(target);
    const items = names.map((name) => this.selections.get(name) as Predicate);
    return quantifier === 'all' ? allOf(items) : anyOf(items);
  }

  /** `them` leaves out names that start with '_', as Sigma's specification says. */
  private matching(target: string): string[] {
    const all = [...this.selections.keys()];
    if (target.toLowerCase() === 'them') {
      const names = all.filter((name) => !name.startsWith('_'));
      if (names.length === 0) throw this.problem("uses 'them' but the detection defines no selection");
      return names;
    }
    if (!SELECTION_PATTERN.test(target)) {
      throw this.problem(`has '${target}' where a selection pattern was expected`);
    }
    const pattern = new RegExp(`^${target.replaceAll('*', '.*')}$`);
    const names = all.filter((name) => pattern.test(name));
    if (names.length === 0) throw this.problem(`has the pattern '${target}', which matches no selection`);
    return names;
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }

  private next(): string | undefined {
    const token = this.tokens[this.position];
    if (token !== undefined) this.position++;
    return token;
  }

  private accept(word: string): boolean {
    if (this.peek()?.toLowerCase() !== word) return false;
    this.position++;
    return true;
  }

  private problem(message: string): InvalidHuntError {
    return new InvalidHuntError(`the condition '${this.text}' ${message}`);
  }
}
