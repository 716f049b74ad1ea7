import { test } from 'node:test';
import assert from 'node:assert/strict';
import { text } from '../src/exporter.js';

const field = (value, current) => ({ name: 'city', category: 'contact', value, provenance: undefined, recordedAt: 0n, current });
const subject = (request) => ({
  contactId: 42n,
  controller: 'Rossi S.r.l.',
  identities: [{ identity: { tag: 'email', val: 'anna@example.it' }, provenance: 1n }],
  fields: [field('Forlì', true), field('Milano', false)],
  request,
});

test('lists identities and current values', () => {
  assert.equal(text(subject(undefined)), 'Personal data held about contact 42\nController: Rossi S.r.l.\n\nemail: anna@example.it\ncity: Forlì\n');
});

test('names the request it answers', () => {
  const request = { id: 17n, kind: 'access', language: undefined, receivedAt: 1767225600n, dueAt: 1769904000n };
  assert.match(text(subject(request)), /In answer to request 17, received on 2026-01-01/);
});
