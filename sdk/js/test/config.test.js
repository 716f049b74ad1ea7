import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config, ConfigError } from '../src/index.js';

test('values are trimmed and empty means unset; keys read are listed once', () => {
  const c = Config.fromPairs({ a: '  x ', b: '   ' });
  assert.equal(c.string('a'), 'x');
  assert.equal(c.string('b'), undefined);
  c.string('a');
  assert.deepEqual(c.keysRead(), ['a', 'b']);
});

test('yes/no and numbers name the key on error', () => {
  const c = Config.fromPairs([['on', 'ON'], ['off', '0'], ['bad', 'maybe'], ['n', '2x'], ['months', '24'], ['big', '5000']]);
  assert.equal(c.bool('on'), true);
  assert.equal(c.bool('off'), false);
  assert.equal(c.bool('unset'), undefined);
  assert.throws(() => c.bool('bad'), { message: 'setting `bad`: `maybe` is not a yes/no value; write true or false' });
  assert.throws(() => c.integer('n'), (e) => e instanceof ConfigError && e.key === 'n' && e.message === 'setting `n`: `2x` is not a valid number');
  assert.equal(c.integer('months', { min: 1, max: 1200 }), 24);
  assert.throws(() => c.integer('big', { min: 1, max: 1200 }), { message: 'setting `big`: 5000 is out of range; write a number from 1 to 1200' });
});

test('choices return the allowed spelling', () => {
  const c = Config.fromPairs({ action: 'Anonymise', other: 'delete' });
  assert.equal(c.choice('action', ['erase', 'anonymise']), 'anonymise');
  assert.throws(() => c.choice('other', ['erase', 'anonymise', 'review']), {
    message: 'setting `other`: `delete` is not one of erase, anonymise, review',
  });
});

test('lists and maps', () => {
  const c = Config.fromPairs({
    l: ' a ; b;;c ',
    m: 'Consenso marketing = marketing:email\n"a=b"="x,y",,',
    bad: 'email',
    bad2: '=x',
    bad3: 'a=b=c',
  });
  assert.deepEqual(c.list('l', ';'), ['a', 'b', 'c']);
  assert.deepEqual(c.list('none'), []);
  assert.deepEqual(c.map('m'), [['Consenso marketing', 'marketing:email'], ['a=b', 'x,y']]);
  assert.throws(() => c.map('bad'), /is not a `name=value` pair/);
  assert.throws(() => c.map('bad2'), /nothing before `=`/);
  assert.throws(() => c.map('bad3'), ConfigError);
  assert.deepEqual(c.map('none'), []);
});
