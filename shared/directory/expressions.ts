/**
 * Typed DynamoDB expressions. Updates and conditions are kept as data until the moment they are
 * sent, so two writes to one item can be combined structurally (summing counters, joining
 * conditions) instead of by editing expression strings, and placeholders can never collide.
 */

/** An attribute of `A`, or a path into one of its maps (`roles.wiki`, `spaceTasks.<userId>`). */
export type Path<A> = Extract<keyof A, string> | `${Extract<keyof A, string>}.${string}`;

type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { readonly op: 'compare'; readonly path: string; readonly comparator: Comparator; readonly value: unknown }
  | { readonly op: 'exists' | 'not_exists'; readonly path: string }
  | { readonly op: 'begins_with'; readonly path: string; readonly value: string }
  | { readonly op: 'between'; readonly path: string; readonly low: unknown; readonly high: unknown }
  | { readonly op: 'and' | 'or'; readonly parts: readonly Condition[] };

const compare = (path: string, comparator: Comparator, value: unknown): Condition => ({ op: 'compare', path, comparator, value });

/** Condition builders typed by an entity's attributes: `conditionsOn<PersonItem>().eq('status', 'invited')`. */
export function conditionsOn<A>() {
  return {
    eq: (path: Path<A>, value: unknown) => compare(path, '=', value),
    ne: (path: Path<A>, value: unknown) => compare(path, '<>', value),
    lt: (path: Path<A>, value: unknown) => compare(path, '<', value),
    le: (path: Path<A>, value: unknown) => compare(path, '<=', value),
    gt: (path: Path<A>, value: unknown) => compare(path, '>', value),
    ge: (path: Path<A>, value: unknown) => compare(path, '>=', value),
    attributeExists: (path: Path<A>): Condition => ({ op: 'exists', path }),
    attributeNotExists: (path: Path<A>): Condition => ({ op: 'not_exists', path }),
    beginsWith: (path: Path<A>, value: string): Condition => ({ op: 'begins_with', path, value }),
    /** `low <= path <= high` (both ends included). */
    between: (path: Path<A>, low: unknown, high: unknown): Condition => ({ op: 'between', path, low, high }),
  };
}

/** Every item has the table's key attributes, whatever its entity. */
export const itemExists: Condition = { op: 'exists', path: 'pk' };
export const itemAbsent: Condition = { op: 'not_exists', path: 'pk' };

/** Conjunction of the conditions given; `undefined` parts are skipped, one part stays itself. */
export function and(...parts: readonly (Condition | undefined)[]): Condition {
  const present = parts.filter((part): part is Condition => part !== undefined);
  if (present.length === 1) return present[0]!;
  return { op: 'and', parts: present.flatMap((part) => (part.op === 'and' ? part.parts : [part])) };
}

export function or(...parts: readonly Condition[]): Condition {
  return { op: 'or', parts };
}

interface SetAction {
  readonly path: string;
  readonly value: unknown;
  /** `if_not_exists(path, value)`: keeps what is there. */
  readonly ifNotExists?: true;
  /** `list_append(path, value)`. */
  readonly append?: true;
}

/**
 * Completes an update once the key of the item it writes is known: an entity whose index key
 * embeds its partition (and follows an attribute, like an invitation's status) keeps that key in
 * step in every update of the attribute, whoever builds the update.
 */
export type KeyedCompletion<A> = (update: Update<A>, key: { readonly pk: string; readonly sk: string }) => Update<A>;

/** An update as data: what it sets, adds and removes. Immutable; every builder step returns a new one. */
export class Update<A> {
  private constructor(
    readonly sets: readonly SetAction[],
    readonly adds: readonly { readonly path: string; readonly value: number }[],
    readonly removes: readonly string[],
    private readonly completion?: KeyedCompletion<A>,
  ) {}

  static empty<A>(completion?: KeyedCompletion<A>): Update<A> {
    return new Update<A>([], [], [], completion);
  }

  set(path: Path<A>, value: unknown): Update<A> {
    return new Update<A>([...this.sets, { path, value }], this.adds, this.removes, this.completion);
  }

  setIfNotExists(path: Path<A>, value: unknown): Update<A> {
    return new Update<A>([...this.sets, { path, value, ifNotExists: true }], this.adds, this.removes, this.completion);
  }

  appendToList(path: Path<A>, values: readonly unknown[]): Update<A> {
    return new Update<A>([...this.sets, { path, value: values, append: true }], this.adds, this.removes, this.completion);
  }

  add(path: Path<A>, by: number): Update<A> {
    return new Update<A>(this.sets, [...this.adds, { path, value: by }], this.removes, this.completion);
  }

  remove(...paths: Path<A>[]): Update<A> {
    return new Update<A>(this.sets, this.adds, [...this.removes, ...paths], this.completion);
  }

  /** The value this update sets `path` to, if it sets it. */
  valueSet(path: Path<A>): unknown {
    return this.sets.find((action) => action.path === path)?.value;
  }

  /** The update as it is written to the item at `key`: with what the entity's completion adds. */
  forKey(key: { readonly pk: string; readonly sk: string }): Update<A> {
    if (!this.completion) return this;
    return this.completion(new Update<A>(this.sets, this.adds, this.removes), key);
  }

  get paths(): string[] {
    return [...this.sets.map((action) => action.path), ...this.adds.map((action) => action.path), ...this.removes];
  }

  /** True when the update only moves counters: such updates of one item can be summed. */
  get onlyAdds(): boolean {
    return this.sets.length === 0 && this.removes.length === 0 && this.adds.length > 0;
  }

  /** Both updates at once; they must touch different attributes, or one would silently win. */
  with(other: Update<A>): Update<A> {
    const mine = new Set(this.paths);
    const clash = other.paths.find((path) => mine.has(path));
    if (clash !== undefined) throw new Error(`Two updates of one item both write ${clash}`);
    return new Update<A>([...this.sets, ...other.sets], [...this.adds, ...other.adds], [...this.removes, ...other.removes], this.completion ?? other.completion);
  }

  /** The counters of two pure-ADD updates of the same attributes, summed. */
  plus(other: Update<A>): Update<A> {
    const mine = this.adds.map((action) => action.path).sort().join('\u0000');
    const theirs = other.adds.map((action) => action.path).sort().join('\u0000');
    if (!this.onlyAdds || !other.onlyAdds || mine !== theirs) throw new Error('Only updates that add to the same counters can be summed');
    return new Update<A>(
      [],
      this.adds.map((action) => ({ path: action.path, value: action.value + other.adds.find((theirAction) => theirAction.path === action.path)!.value })),
      [],
      this.completion,
    );
  }
}

/** A new, empty update typed by the attributes of `A` (with the entity's completion, if it has one). */
export const update = <A>(completion?: KeyedCompletion<A>) => Update.empty<A>(completion);

export interface RenderedExpressions {
  readonly UpdateExpression?: string;
  readonly ConditionExpression?: string;
  readonly KeyConditionExpression?: string;
  readonly FilterExpression?: string;
  readonly ProjectionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

const SIMPLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Hands out placeholders for one request, so names and values of its expressions share one namespace. */
class Placeholders {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly byName = new Map<string, string>();
  private nextValue = 0;

  path(path: string): string {
    return path
      .split('.')
      .map((segment) => {
        const known = this.byName.get(segment);
        if (known) return known;
        const placeholder = SIMPLE_NAME.test(segment) ? `#${segment}` : `#n${this.byName.size}`;
        this.byName.set(segment, placeholder);
        this.names[placeholder] = segment;
        return placeholder;
      })
      .join('.');
  }

  value(value: unknown): string {
    const placeholder = `:v${this.nextValue++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  condition(condition: Condition, nested = false): string {
    switch (condition.op) {
      case 'compare':
        return `${this.path(condition.path)} ${condition.comparator} ${this.value(condition.value)}`;
      case 'exists':
        return `attribute_exists(${this.path(condition.path)})`;
      case 'not_exists':
        return `attribute_not_exists(${this.path(condition.path)})`;
      case 'begins_with':
        return `begins_with(${this.path(condition.path)}, ${this.value(condition.value)})`;
      case 'between':
        return `${this.path(condition.path)} BETWEEN ${this.value(condition.low)} AND ${this.value(condition.high)}`;
      case 'and':
      case 'or': {
        const text = condition.parts.map((part) => this.condition(part, true)).join(condition.op === 'and' ? ' AND ' : ' OR ');
        return nested && condition.parts.length > 1 ? `(${text})` : text;
      }
    }
  }

  update(update: Update<unknown>): string {
    const clauses: string[] = [];
    if (update.sets.length > 0) {
      const actions = update.sets.map((action) => {
        const path = this.path(action.path);
        const value = this.value(action.value);
        if (action.ifNotExists) return `${path} = if_not_exists(${path}, ${value})`;
        if (action.append) return `${path} = list_append(${path}, ${value})`;
        return `${path} = ${value}`;
      });
      clauses.push(`SET ${actions.join(', ')}`);
    }
    if (update.adds.length > 0) clauses.push(`ADD ${update.adds.map((action) => `${this.path(action.path)} ${this.value(action.value)}`).join(', ')}`);
    if (update.removes.length > 0) clauses.push(`REMOVE ${update.removes.map((path) => this.path(path)).join(', ')}`);
    if (clauses.length === 0) throw new Error('An update that changes nothing');
    return clauses.join(' ');
  }

  done(): Pick<RenderedExpressions, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
    // DynamoDB refuses empty maps, so they are left out.
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** The expressions of one request: any of an update, a condition, a key condition, a filter, a projection. */
export function render(parts: {
  readonly update?: Update<unknown> | undefined;
  readonly condition?: Condition | undefined;
  readonly keyCondition?: Condition | undefined;
  readonly filter?: Condition | undefined;
  readonly projection?: readonly string[] | undefined;
}): RenderedExpressions {
  const placeholders = new Placeholders();
  return {
    ...(parts.keyCondition ? { KeyConditionExpression: placeholders.condition(parts.keyCondition) } : {}),
    ...(parts.update ? { UpdateExpression: placeholders.update(parts.update) } : {}),
    ...(parts.condition ? { ConditionExpression: placeholders.condition(parts.condition) } : {}),
    ...(parts.filter ? { FilterExpression: placeholders.condition(parts.filter) } : {}),
    ...(parts.projection ? { ProjectionExpression: parts.projection.map((path) => placeholders.path(path)).join(', ') } : {}),
    ...placeholders.done(),
  };
}

/** Structural equality of two conditions (same tree, same values). */
export function sameCondition(a: Condition | undefined, b: Condition | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
