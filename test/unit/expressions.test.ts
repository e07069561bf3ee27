import { describe, expect, it } from 'vitest';
import { and, conditionsOn, itemAbsent, itemExists, or, render, update } from '../../shared/directory/expressions';
import { mergeWrites, transactItems, updateWrite, type Write } from '../../shared/directory/writes';

interface Thing {
  status: string;
  guests: number;
  ratioRoom: number;
  roles: Record<string, string>;
  spaceTaskToken?: string;
  groups: string[];
}

const thing = conditionsOn<Thing>();

describe('update expressions', () => {
  it('renders SET, ADD and REMOVE with generated placeholders for every name and value', () => {
    const rendered = render({ update: update<Thing>().set('status', 'active').add('guests', 1).remove('spaceTaskToken') });
    expect(rendered).toEqual({
      UpdateExpression: 'SET #status = :v0 ADD #guests :v1 REMOVE #spaceTaskToken',
      ExpressionAttributeNames: { '#status': 'status', '#guests': 'guests', '#spaceTaskToken': 'spaceTaskToken' },
      ExpressionAttributeValues: { ':v0': 'active', ':v1': 1 },
    });
  });

  it('shares one namespace between the update and its condition', () => {
    const rendered = render({
      update: update<Thing>().set('status', 'active'),
      condition: and(thing.eq('status', 'invited'), thing.ge('ratioRoom', 1), itemExists),
    });
    expect(rendered.UpdateExpression).toBe('SET #status = :v0');
    expect(rendered.ConditionExpression).toBe('#status = :v1 AND #ratioRoom >= :v2 AND attribute_exists(#pk)');
    expect(rendered.ExpressionAttributeValues).toEqual({ ':v0': 'active', ':v1': 'invited', ':v2': 1 });
  });

  it('aliases every segment of a map path, and names that are no identifier get a neutral placeholder', () => {
    const rendered = render({ update: update<Thing>().set('roles.wiki', 'user').set('roles.usr-1', 'x') });
    expect(rendered.UpdateExpression).toBe('SET #roles.#wiki = :v0, #roles.#n2 = :v1');
    expect(rendered.ExpressionAttributeNames).toEqual({ '#roles': 'roles', '#wiki': 'wiki', '#n2': 'usr-1' });
  });

  it('renders list_append and if_not_exists', () => {
    expect(render({ update: update<Thing>().appendToList('groups', ['g']).setIfNotExists('roles', {}) }).UpdateExpression).toBe(
      'SET #groups = list_append(#groups, :v0), #roles = if_not_exists(#roles, :v1)',
    );
  });

  it('parenthesises nested disjunctions and leaves out empty maps', () => {
    const rendered = render({ condition: and(itemAbsent, or(thing.attributeNotExists('spaceTaskToken'), thing.lt('status', 'x'))) });
    expect(rendered.ConditionExpression).toBe('attribute_not_exists(#pk) AND (attribute_not_exists(#spaceTaskToken) OR #status < :v0)');
    expect(render({ condition: itemExists })).not.toHaveProperty('ExpressionAttributeValues');
  });

  it('refuses to combine two updates that write the same attribute', () => {
    expect(() => update<Thing>().set('status', 'a').with(update<Thing>().remove('status'))).toThrow(/status/);
    expect(update<Thing>().set('status', 'a').with(update<Thing>().add('guests', 1)).paths).toEqual(['status', 'guests']);
  });
});

describe('transaction writes', () => {
  const site = { pk: 'SITE#a', sk: 'SITE' };
  const seats = (n: number): Write => updateWrite(site, update<Thing>().add('guests', n).add('ratioRoom', -n), thing.ge('ratioRoom', 0));

  it('sums counter updates of one item with the same condition', () => {
    const [merged] = transactItems('t', [seats(1), seats(2)]);
    expect(merged?.Update?.ExpressionAttributeValues).toEqual({ ':v0': 3, ':v1': -3, ':v2': 0 });
  });

  it('refuses two writes of one item that are not the same counters', () => {
    expect(() => mergeWrites([seats(1), updateWrite(site, update<Thing>().set('status', 'x'))])).toThrow(/cannot be merged/);
    expect(() => mergeWrites([seats(1), updateWrite(site, update<Thing>().add('guests', 1).add('ratioRoom', -1), thing.ge('ratioRoom', 1))])).toThrow();
  });
});
