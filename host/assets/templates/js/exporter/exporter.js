// `{{name}}`: a Custode exporter. Writes what is held about one person as plain text: the
// identities and the current field values, one per line (a short access copy, GDPR Art. 15).
// When the document answers a request, its number is on the first lines.

import { formatDate, pluginInfo } from '@custode/plugin-sdk';

/** @param {import('@custode/plugin-sdk').SubjectPackage} subject */
export function text(subject) {
  let out = `Personal data held about contact ${subject.contactId}\n`;
  if (subject.request) {
    out += `In answer to request ${subject.request.id}, received on ${formatDate(subject.request.receivedAt)}\n`;
  }
  out += `Controller: ${subject.controller}\n\n`;
  for (const { identity } of subject.identities) {
    out += identity.tag === 'external' ? `${identity.val.system}: ${identity.val.id}\n` : `${identity.tag}: ${identity.val}\n`;
  }
  for (const field of subject.fields) {
    if (field.current) out += `${field.name}: ${field.value}\n`;
  }
  return out;
}

export const Exporter = {
  describe() {
    return pluginInfo({
      name: '{{name}}',
      version: '0.1.0',
      kind: 'exporter',
      summary: "A plain-text copy of a person's identities and data",
    });
  },

  render(subject) {
    return {
      fileName: `contact-${subject.contactId}.txt`,
      mediaType: 'text/plain; charset=utf-8',
      bytes: new TextEncoder().encode(text(subject)),
    };
  },
};
